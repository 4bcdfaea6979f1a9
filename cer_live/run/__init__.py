"""Running cer-live from a program: build a RunConfig, call Run(config).execute().

    from cer_live.run import Run, RunConfig
    summary = Run(RunConfig(sources=("clip.mp4",), out=Path("out"))).execute()

The names are imported on first use, so that reading a config pulls in no video or model code.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "Run": ".run",
    "Progress": ".run",
    "RunConfig": ".config",
    "RunSummary": ".summary",
    "SourceReport": ".report",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'cer_live.run' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(_LAZY[name], __name__), name)


__all__ = list(_LAZY)
