"""cer-live: real-time compound facial expression recognition in live video."""

__version__ = "0.1.0"
PRODUCER = f"cer-live {__version__}"
