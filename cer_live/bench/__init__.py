"""`cer-live bench`: per-stage latency, sweeps and same-run baselines of the real runtime.

Every runtime piece is reached through `runtime.py`, the one adapter module, so that the
runtime's layout can change without touching the rest of this package.
"""
