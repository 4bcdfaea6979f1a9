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

    def show(self, result: FrameResult) -> bool:
        """Live views first (sinks with `shows = True`); True if any showed the frame."""
        shown = False
        for sink in list(self.sinks):
            if getattr(sink, "shows", False):
                try:
                    sink.write(result)
                    shown = True
                except Exception as exc:
                    self._fail(sink, exc)
        return shown

    def wants_stop(self) -> bool:
        """A live view asked to quit (its q key, or its window was closed)."""
        return any(getattr(sink, "wants_stop", False) for sink in self.sinks)

    def write(self, result: FrameResult) -> None:
        """Every file sink; live views are handled by `show`."""
        for sink in list(self.sinks):
            if getattr(sink, "shows", False):
                continue
            try:
                sink.write(result)
            except Exception as exc:  # any sink bug or I/O error must not stop the others
                self._fail(sink, exc)

    def event(self, record: dict) -> None:
        """Status events go to the sinks that record them (those with an `event` method)."""
        for sink in list(self.sinks):
            handler = getattr(sink, "event", None)
            if handler is None:
                continue
            try:
                handler(record)
            except Exception as exc:
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
