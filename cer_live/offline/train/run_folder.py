"""The run folder: a new run never writes into an old one; --resume continues the one it finds."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from ..errors import TrainError
from .config import TrainConfig, to_toml
from .state import STATE, write_text_atomic

CONFIG = "config.toml"
RUN_JSON = "run.json"
HISTORY = "history.jsonl"


def check_run_folder(out: Path, resume: bool) -> None:
    if resume:
        if not (out / STATE).is_file():
            raise TrainError(f"'{out}' holds no run to resume ({STATE} missing); drop --resume to start one")
        _check_state(out / STATE)
        return
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TrainError(f"'{out}' exists and is not empty; pass --resume to continue its run or choose another --out")


def _check_state(path: Path) -> None:
    """A torch save is a zip: its index and every member's CRC are checked here, before the
    dataset scan, so that a cut or damaged state is reported before minutes of work."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        bad = f"{type(exc).__name__}: {str(exc)[:60]}"
    if bad is not None:
        raise TrainError(f"cannot read '{path}' (damaged: {bad}); start a new run in another --out")


def start_files(out: Path, config: TrainConfig, info: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / CONFIG, to_toml(config))
    write_json(out / RUN_JSON, info)


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def write_history(out: Path, history: list[dict[str, Any]]) -> None:
    """Rewritten from the state each epoch, so it never holds an epoch the state does not."""
    write_text_atomic(out / HISTORY, "".join(json.dumps(h) + "\n" for h in history))
