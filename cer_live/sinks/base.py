"""The sink interface, and the set that isolates a failing sink from the others."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from ..messages import FrameResult

log = logging.getLogger(__name__)


class Sink(Protocol):
    name: str
    path: Path | None

    def write(self, result: FrameResult) -> None: ...

    def close(self) -> None: ...


class SinkSet:
    """Writes every result to every healthy sink; a sink that raises is reported and dropped."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = list(sinks)
        self.failures: dict[str, str] = {}

    def write(self, result: FrameResult) -> None:
        for sink in list(self.sinks):
            try:
                sink.write(result)
            except Exception as exc:  # any sink bug or I/O error must not stop the others
                self._fail(sink, exc)

    def close(self) -> None:
        for sink in self.sinks:
            try:
                sink.close()
            except Exception as exc:
                self._fail(sink, exc)

    def outputs(self) -> dict[str, str]:
        return {s.name: str(s.path) for s in self.sinks if s.path is not None}

    def _fail(self, sink: Sink, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {exc}"
        log.error("sink %s failed and was stopped: %s", sink.name, message)
        self.failures[sink.name] = message
        if sink in self.sinks:
            self.sinks.remove(sink)
