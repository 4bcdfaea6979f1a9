"""Whole files or none: every state file is written through here.

The bytes go to a fresh temporary file that `mkstemp` creates in the target's own folder
(a random name, created exclusively, so a symlink planted at a guessable name is never
followed), are flushed to the disk, and then renamed over the target in one step. A reader
sees the old file or the new one, never half of either; a killed writer leaves at most a
stray temporary file, never a damaged target.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

_MODE = 0o644  # mkstemp's 0600 would hide results from the user's other tools


@contextmanager
def replacing(path: Path, text: bool = False) -> Iterator[IO]:
    """A file object to write `path`'s new content into; `path` is replaced when the block ends
    without an error, and left as it was otherwise."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _MODE)
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8", "newline": ""} if text else {})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    with replacing(path) as f:
        f.write(data)


def write_text(path: Path, text: str) -> None:
    with replacing(path, text=True) as f:
        f.write(text)
