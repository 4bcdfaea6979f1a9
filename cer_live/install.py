"""How to install an extra, said the way that works for this installation."""

from __future__ import annotations

from pathlib import Path


def install_hint(extra: str) -> str:
    """`pip install -e '.[X]'` when running from a source checkout, else `pip install 'cer-live[X]'`."""
    checkout = (Path(__file__).resolve().parent.parent / "pyproject.toml").is_file()
    return f"pip install -e '.[{extra}]'" if checkout else f"pip install 'cer-live[{extra}]'"
