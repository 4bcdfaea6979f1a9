"""What produced a run: the git commit of the code, versions, the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import torch
import torchvision

from ... import PRODUCER

_ROOT = Path(__file__).resolve().parents[3]


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def provenance() -> dict[str, object]:
    commit = _git("rev-parse", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "producer": PRODUCER,
        "git_commit": commit or "unknown (not a git checkout)",
        "git_dirty": bool(dirty) if commit else None,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": sys.version.split()[0],
        "argv": sys.argv,
    }
