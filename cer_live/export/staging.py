"""A pack is built in a hidden folder beside its final place, checked by the runtime's own loader,
and only then renamed into place: a reader never sees half a pack, and a failed build leaves
nothing behind. Every command that writes a pack (export, text-classes, quantize) goes through here."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..models.packs import MANIFEST, load_pack


@contextmanager
def staged(out_root: Path, name: str) -> Iterator[Path]:
    """The staging folder's path (not yet made: the caller fills it); removed whatever happens."""
    out_root.mkdir(parents=True, exist_ok=True)
    staging = out_root / f".{name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, manifest: dict, target: Path) -> None:
    """Writes the manifest, validates the pack, then moves it to `target`, replacing a pack there
    (the callers refuse an existing target unless the user forced it, before any work)."""
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    load_pack(str(staging))  # the runtime's own validation, before the pack is visible
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
