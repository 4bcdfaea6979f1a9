"""The bounded hand-off between pipeline threads, with the two backpressure policies.

'all' (files): a full queue blocks the producer, so no frame is ever lost. 'latest' (live
sources): a full queue drops its oldest *frame* so that the output stays current; status
events and the end marker are never dropped, and every drop is counted.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Generic, TypeVar

from ..messages import Frame

T = TypeVar("T")

POLICIES = ("all", "latest")


class FrameQueue(Generic[T]):
    """Items of type T (QueueItem between the pipeline's stages)."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("a frame queue needs room for at least one item")
        self.maxsize = maxsize
        self.dropped = 0  # frames dropped by put_latest, over the queue's life
        self._items: deque[T] = deque()
        self._changed = threading.Condition()
        self.on_put: Callable[[], None] | None = None  # rung after each put: a consumer serving many queues

    def put(self, item: T, stop: threading.Event, poll_s: float = 0.1) -> bool:
        """Waits for room; False if `stop` was set first (the item was not queued)."""
        with self._changed:
            while len(self._items) >= self.maxsize:
                if stop.is_set():
                    return False
                self._changed.wait(poll_s)
            self._items.append(item)
            self._changed.notify_all()
        self._ring()
        return True

    def put_latest(self, frame: Frame) -> Frame:
        """Never waits: when full, the oldest queued frame goes. Returns the frame as queued,
        stamped with every drop so far, its own included, so the last row's count is the total."""
        with self._changed:
            if len(self._items) >= self.maxsize:
                oldest = next((i for i, item in enumerate(self._items) if isinstance(item, Frame)), None)
                if oldest is not None:
                    del self._items[oldest]
                    self.dropped += 1
            if self.dropped:
                frame = replace(frame, dropped=self.dropped)
            self._items.append(frame)  # type: ignore[arg-type]  # a frame queue's T includes Frame
            self._changed.notify_all()
        self._ring()
        return frame

    def _ring(self) -> None:
        if self.on_put is not None:
            self.on_put()

    def get(self, timeout: float) -> T:
        """The oldest item; queue.Empty if none came within `timeout` seconds."""
        with self._changed:
            if not self._items and not self._changed.wait_for(lambda: bool(self._items), timeout):
                raise queue.Empty
            item = self._items.popleft()
            self._changed.notify_all()
            return item

    def __len__(self) -> int:
        with self._changed:
            return len(self._items)
