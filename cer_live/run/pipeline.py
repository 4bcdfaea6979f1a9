"""The threaded pipeline for one source: capture -> detect -> score -> sinks.

capture thread  --q1-->  detect thread  --qm-->  score thread  --q2-->  calling thread (sinks)

Bounded queues keep memory flat; q1's policy is the source's backpressure (see queues.py).
The detect thread finds and tracks the frame's faces (the source's detection schedule and
tracker); the score thread aligns and scores the due faces, smooths them and applies the
fallback, one frame behind, so that the detector and the members run at once. Each part of
the source's face state is touched by one of the two threads only (see faces/state.py).
Status events from live sources travel in line with the frames and are never dropped.
Decode, detection, inference and encoding release the GIL, so the stages overlap on two cores.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from ..errors import CerLiveError, OutputError
from ..faces.state import SourceFaces
from ..messages import END, End, Failure, Frame, FrameResult, QueueItem, Results, StatusEvent
from ..sinks.base import SinkSet
from ..sinks.records import event_record
from ..sources.base import FrameSource
from .analyser import Analyser, Prepared
from .batch_stats import BatchStats
from .metrics import StageStats
from .queues import POLICIES, FrameQueue
from .report import SourceReport

log = logging.getLogger(__name__)

_POLL_S = 0.1  # how often blocked threads look at the stop flag
_JOIN_S = 5.0
MID_QUEUE = 2  # frames detected ahead of scoring: enough to overlap the two, few for latency


def _capture(source: FrameSource, q: FrameQueue, halt: threading.Event, abandon: threading.Event, latest: bool) -> None:
    """Owns the source: only this thread reads it, and it closes it when its reads are over."""
    try:
        for item in source.frames():
            if halt.is_set():
                break
            if isinstance(item, Frame) and latest:
                q.put_latest(item)
            elif not q.put(item, abandon):
                break
    except BaseException as exc:  # carried to the caller, which reports it
        q.put(Failure(exc), abandon)
    finally:
        q.put(END, abandon)
        source.close()


def _relay(
    q_in: FrameQueue,
    q_out: FrameQueue,
    abandon: threading.Event,
    step: Callable[[object], object],
    at_end: Callable[[], object] | None = None,
) -> None:
    """One stage: every item from q_in to q_out in order, through `step`; at the end marker,
    `at_end`'s item goes before it. A failure is passed on, then the end."""
    try:
        while not abandon.is_set():
            try:
                item = q_in.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if isinstance(item, End):
                if at_end is not None:
                    q_out.put(at_end(), abandon)
                q_out.put(item, abandon)
                return
            q_out.put(step(item), abandon)
    except BaseException as exc:
        q_out.put(Failure(exc), abandon)
        q_out.put(END, abandon)


def _detect(lane: Lane, analyser: Analyser, q_mid: FrameQueue) -> None:
    """Every captured frame detected and tracked, in order, then the end."""

    def step(item: object) -> object:
        return analyser.prepare([(item, lane.faces)]) if isinstance(item, Frame) else item

    _relay(lane.q1, q_mid, lane.abandon, step)


def _score(lane: Lane, analyser: Analyser, q_mid: FrameQueue) -> None:
    """Everything detected is scored, and the fallback's held frames released, before the end."""

    def step(item: object) -> object:
        if not isinstance(item, Prepared):
            return item
        (results,) = analyser.complete(item)
        lane.batches.add(*analyser.last_batch)
        return Results(tuple(results))

    _relay(q_mid, lane.q2, lane.abandon, step, lambda: Results(tuple(lane.faces.flush())))


def _log_event(event: StatusEvent) -> None:
    level = logging.INFO if event.kind in ("connected", "recovered") else logging.WARNING
    attempt = f" (attempt {event.attempt})" if event.attempt else ""
    detail = f": {event.detail}" if event.detail else ""
    log.log(level, "%s %s%s%s", event.source, event.kind, attempt, detail)


class _Emitter:
    """Writes results to the sinks on the calling thread and keeps the report's counts."""

    def __init__(self, sinks: SinkSet, report: SourceReport, on_frame: Callable[[int], None] | None) -> None:
        self.sinks, self.report, self.on_frame = sinks, report, on_frame
        self.stats = StageStats()

    def emit(self, results: tuple[FrameResult, ...]) -> None:
        for result in results:
            t0 = time.perf_counter()
            stage = dict(result.stage_ms)
            if self.sinks.show(result):
                stage["display"] = (time.perf_counter() - t0) * 1000
                stage["capture_to_display"] = (time.monotonic() - result.frame.t_capture) * 1000
            # Age of the frame as the files get it: the figure a soak watches for creep.
            stage["capture_to_output"] = (time.monotonic() - result.frame.t_capture) * 1000
            result = replace(result, stage_ms=dict(stage))  # so the JSONL records them too
            t1 = time.perf_counter()
            self.sinks.write(result)
            stage["sinks"] = (time.perf_counter() - t1) * 1000
            stage["end_to_end"] = (time.monotonic() - result.frame.t_capture) * 1000
            self.stats.add(stage)
            self._count(result)

    def _count(self, result: FrameResult) -> None:
        report = self.report
        report.frames += 1
        if result.faces:
            report.frames_with_face += any(not f.fallback for f in result.faces)
            report.face_rows += len(result.faces)
            report.fallback_rows += sum(f.fallback for f in result.faces)
            for face in result.faces:
                if not face.fallback:
                    report.det_rows[face.det] = report.det_rows.get(face.det, 0) + 1
        if self.on_frame:
            self.on_frame(report.frames)


def announce_stop() -> None:
    log.warning("stopping: flushing and closing outputs (press Ctrl-C again to abandon them)")


def announce_once() -> Callable[[], None]:
    """For lanes that stop together: the user is told once."""
    told = threading.Event()

    def announce() -> None:
        if not told.is_set():
            told.set()
            announce_stop()

    return announce


class Lane:
    """One source's capture thread, queues, face state, sinks and report.

    Its analyser stage is someone else's: detect and score threads of its own (`run_source`),
    or the batcher that serves many lanes at once (multi.py). `run` drains results to the sinks on the
    calling thread and always closes them."""

    def __init__(
        self,
        source: FrameSource,
        faces: SourceFaces,
        sinks: SinkSet,
        on_frame: Callable[[int], None] | None = None,
        policy: str | None = None,
        stop_requested: Callable[[], bool] = lambda: False,
        queue_size: int | None = None,
        out_size: int | None = None,
        on_stop: Callable[[], None] = announce_stop,
    ) -> None:
        policy = policy or ("latest" if source.live else "all")
        if policy not in POLICIES:
            raise CerLiveError(f"unknown frame policy '{policy}'; use one of: {', '.join(POLICIES)}")
        self.latest = policy == "latest"
        # Short queues keep live latency low; longer ones smooth out jitter for files.
        size = queue_size or (2 if self.latest else 8)
        self.source, self.faces, self.sinks, self.stop_requested, self.on_stop = (
            source,
            faces,
            sinks,
            stop_requested,
            on_stop,
        )
        self.report = SourceReport(name=source.name, label=source.label, policy=policy)
        self.q1: FrameQueue[QueueItem] = FrameQueue(size)
        self.q2: FrameQueue[QueueItem] = FrameQueue(out_size or size)
        self.halt, self.abandon = threading.Event(), threading.Event()
        self.batches = BatchStats()
        self.emitter = _Emitter(sinks, self.report, on_frame)

    def capture_thread(self) -> threading.Thread:
        args = (self.source, self.q1, self.halt, self.abandon, self.latest)
        return threading.Thread(target=_capture, args=args, name=f"capture-{self.source.name}", daemon=True)

    def run(self, workers: list[threading.Thread]) -> SourceReport:
        """Starts the workers, writes every result, then stops them and closes the sinks.

        A stop request ends the capture; every frame already captured is still analysed and
        written, so outputs end whole. Bad input found mid-stream (a CerLiveError) ends the
        source and lands in `report.error`, and so does an output that cannot be written any
        more (a full disk); any other worker error is re-raised after the close.
        """
        report, sinks = self.report, self.sinks
        started = time.perf_counter()
        failure: BaseException | None = None
        try:
            for worker in workers:
                worker.start()
            failure = _drain(
                self.q2, self.emitter, report, lambda: _halt(self.source, self.halt), self.stop_requested, self.on_stop
            )
            if isinstance(failure, CerLiveError):
                report.error, failure = str(failure), None
        finally:
            _shutdown(self.source, workers, self.abandon)
            sinks.close()
            self._finish_report(time.perf_counter() - started)
        if failure is not None:
            raise failure
        return report

    def _finish_report(self, wall_s: float) -> None:
        report, sinks = self.report, self.sinks
        report.wall_s = wall_s
        report.dropped = self.q1.dropped
        report.stages = self.emitter.stats.summary()
        report.batches = self.batches.summary()
        report.warnings = self.source.warnings()
        report.outputs = sinks.outputs()
        report.sink_failures = dict(sinks.failures)
        if report.error is None:
            report.error = next((str(exc) for exc in sinks.errors.values() if isinstance(exc, OutputError)), None)


def run_source(
    analyser: Analyser,
    source: FrameSource,
    faces: SourceFaces,
    sinks: SinkSet,
    on_frame: Callable[[int], None] | None = None,
    policy: str | None = None,
    stop_requested: Callable[[], bool] = lambda: False,
    queue_size: int | None = None,
) -> SourceReport:
    """Runs one source to its end (or a stop request) with detect and score threads of its own."""
    lane = Lane(source, faces, sinks, on_frame, policy, stop_requested, queue_size)
    q_mid: FrameQueue[QueueItem | Prepared] = FrameQueue(MID_QUEUE)
    name = source.name
    detect = threading.Thread(target=_detect, args=(lane, analyser, q_mid), name=f"detect-{name}", daemon=True)
    score = threading.Thread(target=_score, args=(lane, analyser, q_mid), name=f"score-{name}", daemon=True)
    return lane.run([lane.capture_thread(), detect, score])


def _halt(source: FrameSource, halt: threading.Event) -> None:
    halt.set()
    source.stop()


def _drain(
    q2: FrameQueue,
    emitter: _Emitter,
    report: SourceReport,
    halt: Callable[[], None],
    stop_requested: Callable[[], bool],
    on_stop: Callable[[], None] = announce_stop,
) -> BaseException | None:
    """The calling thread's loop: results to the sinks until the end marker; the first failure."""
    sinks = emitter.sinks
    failure: BaseException | None = None
    halted = False
    while True:
        if not halted and (stop_requested() or sinks.wants_stop() or sinks.exhausted()):
            halted = True
            halt()
            if stop_requested():
                report.interrupted = True
                on_stop()
        try:
            item = q2.get(timeout=_POLL_S)
        except queue.Empty:
            continue
        match item:
            case End():
                return failure
            case Failure(error=error):
                failure = failure or error
            case StatusEvent():
                _log_event(item)
                report.events.append(event_record(item))
                sinks.event(event_record(item))
            case Results(results=results):
                emitter.emit(results)
            case _:
                raise TypeError(f"unexpected item on a writer queue: {type(item).__name__}")


def _shutdown(source: FrameSource, workers: list[threading.Thread], abandon: threading.Event) -> None:
    """Stops the threads; the capture thread closes its own source, never while a read runs."""
    abandon.set()
    source.stop()
    for worker in workers:
        worker.join(timeout=_JOIN_S)
        if worker.is_alive():
            log.warning(
                "%s did not stop within %.0f s; it will close its source when its read returns", worker.name, _JOIN_S
            )
