"""Offline work around the runtime: Claude labelling (and, later, training). The runtime never imports this."""
