"""Everything a run remembers about the faces of one source, in one object.

Tracks, the inference schedule, smoothing, the nearest-frame fallback and the protagonist
all live here, and a run makes a new `SourceFaces` for every source it opens: nothing can
leak from one source into the next, and several sources can be served side by side.

A source of independent pictures (a folder of photos) gets `independent=True`: every frame
starts from fresh face state (new track ids, no smoothing, no schedule carry-over, no
fallback), so nothing leaks from one photo into the next either.

Two threads may share a source's state, one frame or two apart: `plan` (the detection
schedule, the tracker, the inference schedule's bookings) on one, in frame order, and
`finish` (scores carried, smoothing, the protagonist, the fallback) on the other, in the same
order. Neither touches the other's part: a track's end reaches `finish` with the frame it
ended at (`Pending.ended`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..messages import Detection, FaceResult, FaceScores, Frame, FrameResult, timings
from .detect_schedule import DetectionSchedule, DetectScheduleConfig, FrameDetections
from .fallback import NearestFaceFallback
from .schedule import ScheduleConfig, Scheduler
from .score_vector import join, split
from .smooth import Smoother, SmoothingConfig
from .track import IoUTracker, protagonist_index

LEAD_KEEP = 0.8  # the protagonist stays while its face is at least this share of the largest one's area
Scorer = Callable[[np.ndarray, tuple[Detection, ...]], tuple[tuple[FaceScores, ...], dict[str, float]]]


@dataclass(frozen=True)
class FaceOptions:
    protagonist_only: bool = False  # keep only the largest face, before inference (the paper's rule)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    fallback_age: int = 12  # frames a face may be borrowed across (0 = off)
    max_yaw: float | None = None  # degrees; faces turned further keep their label out of the smoothed track
    detect: DetectScheduleConfig = field(default_factory=DetectScheduleConfig)


@dataclass(frozen=True)
class Pending:
    """A frame between `SourceFaces.plan` and `SourceFaces.finish`: its tracked faces and which are due."""

    frame: Frame
    detections: tuple[Detection, ...]
    kinds: tuple[str, ...]  # which detection found each face (full, region, scan_low, predicted)
    track_ids: tuple[int, ...]
    due: tuple[bool, ...]
    track_ms: float = 0.0
    ended: tuple[int, ...] = ()  # tracks that ended at this frame: `finish` forgets their scores

    @property
    def due_detections(self) -> tuple[Detection, ...]:
        return tuple(d for d, run in zip(self.detections, self.due, strict=False) if run)


class SourceFaces:
    """Per-source face state; `plan` and `finish` each from one thread, in frame order (`step`: both)."""

    def __init__(self, options: FaceOptions, look_ahead: bool, independent: bool = False) -> None:
        self.options = options
        self.independent = independent
        self.detection = DetectionSchedule(options.detect)
        self.tracker = IoUTracker()
        self.scheduler = Scheduler(options.schedule)
        self.smoother = Smoother(options.smoothing)
        self.fallback = NearestFaceFallback(0 if independent else options.fallback_age, look_ahead)
        self._lead_track: int | None = None

    def step(
        self, frame: Frame, found: FrameDetections, score: Scorer, stage_ms: dict[str, float]
    ) -> list[FrameResult]:
        """Tracks, scores (only the faces that are due), smooths; returns the results now final."""
        pending = self.plan(frame, found)
        fresh, score_ms = score(frame.image, pending.due_detections)
        return self.finish(pending, fresh, timings(stage_ms, score_ms))

    def plan(self, frame: Frame, found: FrameDetections) -> Pending:
        """Tracks the frame's faces and says which are due for scoring; `finish` takes their scores.

        Split from `step` so that a caller can score the due faces of many sources in one batch."""
        t0 = time.perf_counter()
        detections, kinds = found.detections, found.kinds
        ended: list[int] = []
        if found.cut or self.independent:  # nothing of the previous shot or picture carries over
            ended += self.tracker.end_all()
        if self.options.protagonist_only and len(detections) > 1:
            lead = protagonist_index(detections)
            detections, kinds = (detections[lead],), (kinds[lead],)
        ids, gone = self.tracker.update(detections)
        ended += gone
        self.scheduler.forget_booked(tuple(ended))
        due = self.scheduler.due(frame.frame_id, tuple(ids), detections)
        ms = (time.perf_counter() - t0) * 1000
        return Pending(frame, detections, kinds, tuple(ids), tuple(due), ms, tuple(ended))

    def finish(self, pending: Pending, fresh: tuple[FaceScores, ...], stage_ms: dict[str, float]) -> list[FrameResult]:
        """Carries scores to the faces that were not due, smooths, and releases final results."""
        t0 = time.perf_counter()
        self._forget(pending.ended)
        it = iter(fresh)
        frame, detections = pending.frame, pending.detections
        lead = self._lead(pending)
        faces = []
        for i, (tid, det, kind, run) in enumerate(
            zip(pending.track_ids, detections, pending.kinds, pending.due, strict=False)
        ):
            scores = next(it) if run else self.scheduler.carried(tid)
            if run:
                self.scheduler.remember(tid, scores)
            ok = self._pose_ok(det)
            smoothed = self._smooth(tid, scores) if ok else self._held(tid, scores)
            faces.append(FaceResult(tid, det, scores, smoothed, protagonist=i == lead, fresh=run, pose_ok=ok, det=kind))
        stage = timings(stage_ms, {"track": pending.track_ms, "post": (time.perf_counter() - t0) * 1000})
        # The fallback still borrows across a cut (the reference recipe's nearest-frame rule);
        # such rows say so (fallback, fallback_from).
        return self.fallback.push(FrameResult(frame, tuple(faces), stage))

    def _lead(self, pending: Pending) -> int | None:
        """The protagonist: the largest face, but the current one stays while it is nearly as
        large (two faces of one size would otherwise swap the title on every frame)."""
        lead = protagonist_index(pending.detections)
        previous = self._lead_track
        if lead is not None and previous in pending.track_ids and not self.independent:
            kept = pending.track_ids.index(previous)
            if pending.detections[kept].area >= LEAD_KEEP * pending.detections[lead].area:
                lead = kept
        self._lead_track = None if lead is None else pending.track_ids[lead]
        return lead

    def _forget(self, ended: tuple[int, ...]) -> None:
        self.scheduler.forget_scores(ended)
        for tid in ended:
            self.smoother.forget(tid)

    def flush(self) -> list[FrameResult]:
        """Frames held for the look-ahead, at the end of the source (or when it stops)."""
        return self.fallback.flush()

    def _pose_ok(self, det: Detection) -> bool:
        limit = self.options.max_yaw
        return limit is None or det.pose is None or abs(det.pose[0]) <= limit

    def _held(self, track_id: int, scores: FaceScores) -> FaceScores:
        """A turned face's smoothed scores: the track's so far, untouched; its raw ones if it has none yet."""
        current = self.smoother.current(track_id)
        return scores if current is None else split(scores, current)

    def _smooth(self, track_id: int, scores: FaceScores) -> FaceScores:
        return split(scores, self.smoother.update(track_id, join(scores)))
