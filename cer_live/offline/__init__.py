"""Offline work around the runtime: Claude labelling, datasets, losses, training and evaluation. The runtime never imports it."""
