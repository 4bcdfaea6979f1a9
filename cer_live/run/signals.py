"""Ctrl-C and SIGTERM ask a run to stop between frames, so no output is left half-written."""

from __future__ import annotations

import signal
import threading


class StopRequests:
    """A second Ctrl-C raises KeyboardInterrupt at once. Handlers can only be installed from the
    main thread; elsewhere (an embedding application) the defaults stay."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous.clear()
