"""JSON Lines: a header line naming the producer, then one record per face per frame."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..messages import FrameResult
from .records import frame_records


class JsonlSink:
    name = "jsonl"

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self._file = path.open("w", encoding="utf-8")
        self._emit({"type": "header", **header})

    def write(self, result: FrameResult) -> None:
        for record in frame_records(result):
            self._emit(record)
        # A flush per frame keeps every line whole on disk if the process is killed.
        self._file.flush()

    def event(self, record: dict[str, Any]) -> None:
        self._emit(record)
        self._file.flush()

    def _emit(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
