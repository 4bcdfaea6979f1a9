"""The sink interface, and the set that isolates a failing sink from the others."""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType
from typing import Any

from ..messages import FrameResult

log = logging.getLogger(__name__)


class Sink:
    """Where results go. Subclasses write each frame whole (flushed per frame) and close on exit.

    `shows` marks a live view: it is given each frame before the files, so that display
    latency can be measured, and it may ask the run to stop (`wants_stop`).
    """

    name: str = "sink"
    path: Path | None = None
    shows: bool = False
    wants_stop: bool = False

    def write(self, result: FrameResult) -> None:
        raise NotImplementedError

    def event(self, record: dict[str, Any]) -> None:
        """A status event (a stream lost, recovered ...); sinks that keep a log record it."""

    def close(self) -> None:
        """Idempotent: flushes and closes whatever the sink holds."""

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class SinkSet:
    """Writes every result to every healthy sink; a sink that raises is reported and dropped."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = list(sinks)
        self.failures: dict[str, str] = {}  # sink name -> what went wrong, in words
        self.errors: dict[str, Exception] = {}  # the same, as raised
        self._had_files = any(not s.shows for s in self.sinks)

    def __enter__(self) -> SinkSet:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def show(self, result: FrameResult) -> bool:
        """Live views first; True if any showed the frame."""
        return self._each(lambda sink: sink.write(result), views=True) > 0

    def write(self, result: FrameResult) -> None:
        """Every file sink; live views are handled by `show`."""
        self._each(lambda sink: sink.write(result), views=False)

    def event(self, record: dict[str, Any]) -> None:
        self._each(lambda sink: sink.event(record), views=None)

    def wants_stop(self) -> bool:
        """A live view asked to quit (its q key, or its window was closed)."""
        return any(sink.wants_stop for sink in self.sinks)

    def exhausted(self) -> bool:
        """Every sink that had somewhere to write has failed: going on would write nothing."""
        return self._had_files and not self.sinks

    def close(self) -> None:
        for sink in list(self.sinks):
            try:
                sink.close()
            except Exception as exc:
                self._fail(sink, exc)

    def outputs(self) -> dict[str, str]:
        return {s.name: str(s.path) for s in self.sinks if s.path is not None}

    def _each(self, action: Any, views: bool | None) -> int:
        done = 0
        for sink in list(self.sinks):
            if views is not None and sink.shows != views:
                continue
            try:
                action(sink)
                done += 1
            except Exception as exc:  # any sink bug or I/O error must not stop the others
                self._fail(sink, exc)
        return done

    def _fail(self, sink: Sink, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {exc}"
        log.error("sink %s failed and was stopped: %s", sink.name, message)
        self.failures[sink.name] = message
        self.errors[sink.name] = exc
        if sink in self.sinks:
            self.sinks.remove(sink)
