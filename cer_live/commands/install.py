"""How to install an extra, said the way that works for this installation."""

from __future__ import annotations

import json
from importlib import metadata


def install_hint(extra: str) -> str:
    """`pip install -e '.[X]'` in a source checkout (an editable install), else `pip install 'cer-live[X]'`."""
    try:
        direct = metadata.distribution("cer-live").read_text("direct_url.json")
        editable = bool(direct and json.loads(direct).get("dir_info", {}).get("editable"))
    except (metadata.PackageNotFoundError, ValueError):
        editable = False
    return f"pip install -e '.[{extra}]'" if editable else f"pip install 'cer-live[{extra}]'"
