"""Many sources at once: a lane per source (capture thread, writer thread), one shared batcher.

capture-1 --q1--\\                  /--q2--> writer-1 (sinks of source 1)
capture-2 --q1---> batcher (models) ---q2--> writer-2 (sinks of source 2)
capture-N --q1--/                  \\--q2--> writer-N

At most `max_active` lanes run at a time (a folder of many videos does not open them all);
when one ends the next starts. Reports come back in source order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .batcher import Batcher
from .pipeline import Lane
from .report import SourceReport

log = logging.getLogger(__name__)

# Results wait here for the writer; roomy so that a briefly slow sink does not hold the batcher.
OUT_QUEUE = 64


@dataclass
class _Running:
    index: int
    lane: Lane
    thread: threading.Thread
    report: SourceReport | None = None
    error: BaseException | None = None


def run_lanes(
    batcher: Batcher,
    make_lane: Callable[[int], Lane],
    count: int,
    max_active: int,
    stop_requested: Callable[[], bool],
) -> list[SourceReport]:
    """Runs lanes 0..count-1 (made on demand), `max_active` at a time; the first worker error is re-raised."""
    done: dict[int, _Running] = {}
    running: list[_Running] = []
    finished = threading.Condition()
    next_index = 0
    batcher.start()
    try:
        while next_index < count or running:
            while next_index < count and len(running) < max_active and not stop_requested():
                running.append(_start(make_lane(next_index), next_index, finished))
                next_index += 1
            if stop_requested() and not running:
                break
            with finished:
                finished.wait_for(lambda: any(not r.thread.is_alive() for r in running), timeout=0.1)
            for r in [r for r in running if not r.thread.is_alive()]:
                running.remove(r)
                done[r.index] = r
    finally:
        # Only after an error in this thread (a second Ctrl-C): lanes are abandoned, not drained.
        # Their files already end on whole records, as every frame is flushed whole.
        for r in running:
            r.lane.halt.set()
            r.lane.abandon.set()
            r.lane.source.stop()
        batcher.stop()
        for r in running:
            r.thread.join(timeout=1.0)
    errors = [r.error for _, r in sorted(done.items()) if r.error is not None]
    if errors:
        raise errors[0]
    return [r.report for _, r in sorted(done.items()) if r.report is not None]


def _start(lane: Lane, index: int, finished: threading.Condition) -> _Running:
    running = _Running(index, lane, threading.Thread())

    def work() -> None:
        try:
            running.report = lane.run([lane.capture_thread()])
        except BaseException as exc:  # carried to the caller, re-raised once every lane is done
            running.error = exc
        finally:
            with finished:
                finished.notify_all()

    running.thread = threading.Thread(target=work, name=f"write-{lane.source.name}", daemon=True)
    running.thread.start()
    return running
