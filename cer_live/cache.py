"""The one cache root: fetched sample media and built engines (TensorRT plans) live under it."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """CER_LIVE_CACHE, else the XDG cache folder; read when called, never at import."""
    explicit = os.environ.get("CER_LIVE_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cer-live"
