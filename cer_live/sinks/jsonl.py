"""JSON Lines: a header line naming the producer, then one record per face per frame."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..messages import FrameResult
from .base import Sink
from .files import RecordFile
from .records import frame_records


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":")) + "\n"


class JsonlSink(Sink):
    """Each frame's lines reach the disk together, so a crash or a full disk leaves whole frames."""

    name = "jsonl"

    def __init__(self, path: Path, header: dict[str, Any], resume: bool = False) -> None:
        """`resume`: append to a file this run already started (its header is there)."""
        self.path = path
        self._file = RecordFile(path, append=resume)
        try:
            if not resume:
                self._file.write(_line({"type": "header", **header}))
        except Exception:
            self._file.close()
            raise

    def write(self, result: FrameResult) -> None:
        self._file.write("".join(_line(record) for record in frame_records(result)))

    def event(self, record: dict[str, Any]) -> None:
        self._file.write(_line(record))

    def close(self) -> None:
        self._file.close()
