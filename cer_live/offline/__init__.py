"""Offline work: datasets, losses, metrics, training and evaluation. The runtime never imports it."""
