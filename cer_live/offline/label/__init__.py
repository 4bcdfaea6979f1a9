"""`cer-live label`: Claude pseudo-labels for aligned face crops, resumable and budgeted.

Only `faces.py` imports runtime code; everything else here is plain Python plus the
`anthropic` SDK (imported lazily, in `client.py`).
"""
