"""The threaded pipeline for one source: capture -> analyse -> post-process and sinks.

capture thread  --q1-->  analyser thread  --q2-->  calling thread (post, sinks)

Bounded queues keep memory flat. Under the 'all' policy (files) the producer blocks when a
queue is full, so no frame is ever dropped; under 'latest' (live sources) the oldest queued
frame is dropped instead, so that the output stays current, and drops are counted. Status
events from live sources travel in line with the frames and are never dropped. Decode, inference and encoding release the GIL, so the stages overlap on two cores.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .analyser import Analyser
from ..errors import CerLiveError
from ..messages import Analysed, Frame, FrameResult, StatusEvent
from .metrics import StageStats
from ..faces.post import PostProcessor
from ..sinks.records import event_record
from ..sinks.base import SinkSet
from ..sources.base import FrameSource

log = logging.getLogger(__name__)

POLICIES = ("all", "latest")  # all: block and keep every frame; latest: drop the oldest when behind
_END = object()  # end of stream marker passed through both queues
_POLL_S = 0.1  # how often blocked threads look at the stop flag


@dataclass(frozen=True)
class _Failure:
    """An exception raised in a worker thread, carried to the calling thread."""

    error: BaseException


@dataclass
class SourceReport:
    name: str
    label: str
    frames: int = 0
    frames_with_face: int = 0
    face_rows: int = 0
    fallback_rows: int = 0
    dropped: int = 0
    wall_s: float = 0.0
    interrupted: bool = False
    policy: str = "all"
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # bad input found mid-stream (a truncated file); outputs stay valid
    stages: dict[str, dict[str, float]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    sink_failures: dict[str, str] = field(default_factory=dict)

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.label,
            "frames": self.frames,
            "frames_with_face": self.frames_with_face,
            "face_rows": self.face_rows,
            "fallback_rows": self.fallback_rows,
            "frame_policy": self.policy,
            "dropped_frames": self.dropped,
            "status_events": self.events,
            "wall_s": round(self.wall_s, 3),
            "fps": round(self.fps, 2),
            "interrupted": self.interrupted,
            "error": self.error,
            "latency_ms": self.stages,
            "warnings": self.warnings,
            "outputs": self.outputs,
            "sink_failures": self.sink_failures,
        }


def _put(q: queue.Queue, item: object, stop: threading.Event) -> bool:
    """Blocking put that gives up when asked to stop; False if it gave up."""
    while not stop.is_set():
        try:
            q.put(item, timeout=_POLL_S)
            return True
        except queue.Full:
            continue
    return False


def _put_latest(q: queue.Queue, frame: Frame) -> int:
    """Non-blocking put for the 'latest' policy: when full, the oldest queued frame goes.

    Status events and end markers in the queue are never dropped, so the queue's lock is
    taken and the oldest *frame* removed by hand. Returns how many frames were dropped.
    """
    with q.mutex:
        dropped = 0
        if q.maxsize > 0 and len(q.queue) >= q.maxsize:
            for i, item in enumerate(q.queue):
                if isinstance(item, Frame):
                    del q.queue[i]
                    dropped = 1
                    break
        q.queue.append(frame)
        q.unfinished_tasks += 1
        q.not_empty.notify()
    return dropped


class _Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        with self._lock:
            self.value += n


def _capture(source: FrameSource, q: queue.Queue, stop: threading.Event, latest: bool, dropped: _Counter) -> None:
    try:
        for item in source.frames():
            if stop.is_set():
                break
            if isinstance(item, Frame) and latest:
                if dropped.value:
                    item = replace(item, dropped=dropped.value)
                dropped.add(_put_latest(q, item))
            elif not _put(q, item, stop):
                break
    except BaseException as exc:  # carried to the caller, which reports it
        _put(q, _Failure(exc), stop)
    finally:
        _put(q, _END, stop)


def _analyse(analyser: Analyser, q_in: queue.Queue, q_out: queue.Queue, stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            try:
                item = q_in.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if item is _END or isinstance(item, (_Failure, StatusEvent)):
                _put(q_out, item, stop)
                if item is _END:
                    return
                continue
            assert isinstance(item, Frame)
            _put(q_out, analyser.analyse(item), stop)
    except BaseException as exc:
        _put(q_out, _Failure(exc), stop)
        _put(q_out, _END, stop)


def _log_event(event: StatusEvent) -> None:
    level = logging.INFO if event.kind in ("connected", "recovered") else logging.WARNING
    attempt = f" (attempt {event.attempt})" if event.attempt else ""
    detail = f": {event.detail}" if event.detail else ""
    log.log(level, "%s %s%s%s", event.source, event.kind, attempt, detail)


class _StopRequests:
    """Ctrl-C and SIGTERM ask the run to stop between frames, so no output is left half-written.

    A second Ctrl-C raises KeyboardInterrupt at once. Handlers can only be installed from the
    main thread; elsewhere (an embedding application) the defaults stay.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous.clear()


def run_source(
    analyser: Analyser,
    source: FrameSource,
    post: PostProcessor,
    sinks: SinkSet,
    on_frame: Callable[[int], None] | None = None,
    policy: str | None = None,
    queue_size: int | None = None,
) -> SourceReport:
    """Runs one source to its end (or Ctrl-C) and always closes the sinks.

    Ctrl-C is caught here so that buffered frames are flushed and every file is closed
    whole; the report says `interrupted`. Bad input found mid-stream (CerLiveError) ends
    the source and lands in `report.error`; any other worker error is re-raised after the
    close.
    """
    policy = policy or ("latest" if source.live else "all")
    if policy not in POLICIES:
        raise CerLiveError(f"unknown frame policy '{policy}'; use one of: {', '.join(POLICIES)}")
    latest = policy == "latest"
    # Short queues keep live latency low; longer ones smooth out jitter for files.
    queue_size = queue_size or (2 if latest else 8)
    report = SourceReport(name=source.name, label=source.label, policy=policy)
    stats = StageStats()
    stop = threading.Event()
    dropped = _Counter()
    q1: queue.Queue = queue.Queue(maxsize=queue_size)
    q2: queue.Queue = queue.Queue(maxsize=queue_size)
    workers = [
        threading.Thread(target=_capture, args=(source, q1, stop, latest, dropped), name="capture", daemon=True),
        threading.Thread(target=_analyse, args=(analyser, q1, q2, stop), name="analyse", daemon=True),
    ]
    failure: BaseException | None = None
    started = time.perf_counter()

    def emit(results: list[FrameResult]) -> None:
        for result in results:
            t0 = time.perf_counter()
            stage = dict(result.stage_ms)
            if sinks.show(result):
                stage["display"] = (time.perf_counter() - t0) * 1000
                stage["capture_to_display"] = (time.monotonic() - result.frame.t_capture) * 1000
            # Age of the frame as the files get it: the figure a soak watches for creep.
            stage["capture_to_output"] = (time.monotonic() - result.frame.t_capture) * 1000
            result = replace(result, stage_ms=dict(stage))  # so the JSONL records them too
            t1 = time.perf_counter()
            sinks.write(result)
            stage["sinks"] = (time.perf_counter() - t1) * 1000
            stage["end_to_end"] = (time.monotonic() - result.frame.t_capture) * 1000
            stats.add(stage)
            report.frames += 1
            if result.faces:
                report.frames_with_face += any(not f.fallback for f in result.faces)
                report.face_rows += len(result.faces)
                report.fallback_rows += sum(f.fallback for f in result.faces)
            if on_frame:
                on_frame(report.frames)

    stopping = _StopRequests()
    try:
        stopping.install()
        for worker in workers:
            worker.start()
        while not stopping.requested and not sinks.wants_stop():
            try:
                item = q2.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if item is _END:
                break
            if isinstance(item, _Failure):
                failure = item.error
                break
            if isinstance(item, StatusEvent):
                _log_event(item)
                report.events.append(event_record(item))
                sinks.event(event_record(item))
                continue
            assert isinstance(item, Analysed)
            emit(post.push(item))
        if stopping.requested:
            report.interrupted = True
            log.warning("stopping: flushing and closing outputs (press Ctrl-C again to abandon them)")
        # Frames held for the look-ahead are written even when the source failed or was stopped.
        emit(post.flush())
        if isinstance(failure, CerLiveError):
            report.error, failure = str(failure), None
    finally:
        stopping.uninstall()
        stop.set()
        source.stop()
        for worker in workers:
            worker.join(timeout=5)
        sinks.close()
        source.close()
        report.wall_s = time.perf_counter() - started
        report.dropped = dropped.value
        report.stages = stats.summary()
        report.warnings = source.warnings()
        report.outputs = sinks.outputs()
        report.sink_failures = dict(sinks.failures)
    if failure is not None:
        raise failure
    return report
