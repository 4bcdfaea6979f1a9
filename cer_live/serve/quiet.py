"""The preview's own problems in one rate-limited line: malformed requests, failed accepts,
a handler that raised. No request can put a traceback on stderr, and a flood of bad
requests (or a machine out of file descriptors) costs one line per interval, not megabytes."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

INTERVAL_S = 10.0


class OneLine:
    """Stands in for aiohttp's server logger and the event loop's exception handler."""

    def __init__(self, log: logging.Logger, interval_s: float = INTERVAL_S) -> None:
        self.log, self.interval_s = log, interval_s
        self._next = 0.0
        self._held = 0

    def report(self, what: str, exc: BaseException | None) -> None:
        now = time.monotonic()
        if now < self._next:
            self._held += 1
            return
        more = f" (and {self._held} more in the last {self.interval_s:g} s)" if self._held else ""
        reason = f": {type(exc).__name__}: {' '.join(str(exc).split())[:160]}" if exc is not None else ""
        self.log.warning("preview: %s%s%s", what, reason, more)
        self._next, self._held = now + self.interval_s, 0

    # aiohttp's RequestHandler calls these on its `logger`.
    def exception(self, msg: str, *args: Any, exc_info: Any = None, **_: Any) -> None:
        self.report(_format(msg, args), exc_info if isinstance(exc_info, BaseException) else None)

    error = warning = exception

    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    info = debug

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 (the logging.Logger name)
        return level >= logging.WARNING

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        self.report(str(context.get("message", "event loop error")), exc if isinstance(exc, BaseException) else None)


def _format(msg: str, args: tuple[Any, ...]) -> str:
    try:
        return msg % args if args else msg
    except (TypeError, ValueError):
        return msg
