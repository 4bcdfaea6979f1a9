"""The analyser stage shared by many sources: one frame per source per cycle, one batch.

Like a stream muxer: a cycle starts with the first frame that arrives, then waits at most
`wait_s` for the other sources to offer theirs, and runs the detector on whatever it holds
(one frame per source at most) and the members on all their due faces together. A slow or
dead source never holds a cycle longer than `wait_s`, and a lane's queue keeps its own policy
(live sources their newest frames, files every frame).

Status events, failures and the end marker pass through in order; per-face state is touched
by this thread only.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from ..messages import END, End, Failure, Frame, Results
from .analyser import Analyser
from .pipeline import Lane

log = logging.getLogger(__name__)

_POLL_S = 0.1  # how often an idle batcher looks at the stop flag
IDLE_S = 0.5  # a lane with no frame for this long (a dead stream, a reconnect) is not waited for


class Batcher:
    def __init__(self, analyser: Analyser, wait_s: float = 0.008) -> None:
        self.analyser = analyser
        self.wait_s = wait_s
        self._lanes: list[Lane] = []
        self._lock = threading.Lock()
        self._bell = threading.Condition()
        self._rings = 0  # bumped by every put into any lane's input queue
        self._last_frame: dict[int, float] = {}  # id(lane) -> when it last offered a frame
        self._stop = threading.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="batcher", daemon=True)

    def add(self, lane: Lane) -> None:
        """Serves a lane from its next frame on; lanes come and go while the batcher runs."""
        lane.q1.on_put = self._ring
        self._last_frame[id(lane)] = time.monotonic()  # waited for from the start, idle if it never sends
        with self._lock:
            failure = self.failure
            if failure is None:
                self._lanes.append(lane)
        if failure is not None:  # the models failed earlier: this lane ends at once, told why
            lane.q2.put(Failure(failure), lane.abandon)
            lane.q2.put(END, lane.abandon)
        self._ring()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._ring()
        self.thread.join(timeout=5.0)

    def _ring(self) -> None:
        with self._bell:
            self._rings += 1
            self._bell.notify_all()

    def _loop(self) -> None:
        while not self._stop.is_set():
            batch = self._collect()
            if not batch:
                continue
            try:
                results = self.analyser.analyse_batch([(frame, lane.faces) for lane, frame in batch])
            except BaseException as exc:  # a model failure ends every lane, each told why
                self._fail_all(exc)
                return
            size = self.analyser.last_batch
            for (lane, _), result in zip(batch, results, strict=False):
                lane.batches.add(*size)
                lane.q2.put(Results(tuple(result)), lane.abandon)

    def _collect(self) -> list[tuple[Lane, Frame]]:
        """At most one frame per lane: returns when every lane has offered one, or `wait_s` after the first."""
        taken: dict[int, tuple[Lane, Frame]] = {}
        deadline: float | None = None
        while not self._stop.is_set():
            with self._bell:
                seen = self._rings
            lanes = self._live_lanes()
            for lane in lanes:
                if id(lane) not in taken:
                    frame = self._next_frame(lane)
                    if frame is not None:
                        taken[id(lane)] = (lane, frame)
            now = time.monotonic()
            if taken and deadline is None:
                deadline = now + self.wait_s
            if taken and (len(taken) >= self._expected(now) or now >= deadline):
                break
            with self._bell:
                if self._rings == seen:
                    self._bell.wait(_POLL_S if deadline is None else max(0.0, deadline - now))
        return list(taken.values())

    def _expected(self, now: float) -> int:
        """Lanes worth waiting for: those that offered a frame lately (a dead one would cost every cycle the wait)."""
        return sum(now - self._last_frame.get(id(lane), 0.0) < IDLE_S for lane in self._live_lanes())

    def _live_lanes(self) -> list[Lane]:
        with self._lock:
            self._lanes = [lane for lane in self._lanes if not lane.abandon.is_set()]
            return list(self._lanes)

    def _next_frame(self, lane: Lane) -> Frame | None:
        """The lane's next frame; what comes before it (events, failures, the end) is passed on."""
        while True:
            try:
                item = lane.q1.get(timeout=0)
            except queue.Empty:
                return None
            match item:
                case Frame():
                    self._last_frame[id(lane)] = time.monotonic()
                    return item
                case End():
                    self._end(lane)
                    return None
                case _:  # status events and failures pass on in order
                    lane.q2.put(item, lane.abandon)

    def _end(self, lane: Lane) -> None:
        """Held frames released (the fallback's look-ahead), then the end marker."""
        with self._lock:
            if lane in self._lanes:
                self._lanes.remove(lane)
        self._last_frame.pop(id(lane), None)
        try:
            lane.q2.put(Results(tuple(lane.faces.flush())), lane.abandon)
        except BaseException as exc:
            lane.q2.put(Failure(exc), lane.abandon)
        lane.q2.put(END, lane.abandon)

    def _fail_all(self, exc: BaseException) -> None:
        log.error("the shared analyser failed: %s", exc)
        with self._lock:
            self.failure = exc
            lanes, self._lanes = self._lanes, []
        for lane in lanes:
            lane.halt.set()
            lane.source.stop()
            lane.q2.put(Failure(exc), lane.abandon)
            lane.q2.put(END, lane.abandon)
