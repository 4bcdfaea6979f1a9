"""When the ensemble runs on a tracked face: every k frames, or sooner when its box moves.

On a slow CPU the full ensemble cannot score every face of every frame. Between runs a
track carries the scores of its last run, and smoothing carries on from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..messages import Detection, FaceScores
from .track import iou_matrix


@dataclass(frozen=True)
class ScheduleConfig:
    every: int = 1  # run on a track at least every `every` source frames (frame ids)
    min_iou: float = 0.6  # ...and whenever its box overlaps the box of its last run by less than this


@dataclass
class _Last:
    frame: int
    box: np.ndarray


class Scheduler:
    """`due` is asked when a frame's faces are tracked, `remember`/`carried` when they are scored,
    possibly on another thread a frame or two later: a run is booked when it is decided, so
    the frames tracked meanwhile do not book it again."""

    def __init__(self, config: ScheduleConfig) -> None:
        if config.every < 1:
            raise ValueError("every must be >= 1")
        self.config = config
        self._booked: dict[int, _Last] = {}  # the frame and box of each track's last run, as decided
        self._scores: dict[int, FaceScores] = {}  # each track's scores from that run, once made

    def due(self, frame: int, track_ids: tuple[int, ...], detections: tuple[Detection, ...]) -> list[bool]:
        """Per detection: must the ensemble run on it now? (A run it says yes to is booked.)"""
        if self.config.every == 1:
            return [True] * len(detections)
        out = []
        for tid, det in zip(track_ids, detections, strict=False):
            box = np.asarray(det.box, np.float64)
            last = self._booked.get(tid)
            run = (
                last is None
                or not 0 <= frame - last.frame < self.config.every
                or iou_matrix(last.box[None], box[None])[0, 0] < self.config.min_iou
            )
            if run:
                self._booked[tid] = _Last(frame, box)
            out.append(bool(run))
        return out

    def carried(self, track_id: int) -> FaceScores:
        return self._scores[track_id]

    def remember(self, track_id: int, scores: FaceScores) -> None:
        if self.config.every > 1:
            self._scores[track_id] = scores

    def forget_booked(self, track_ids: tuple[int, ...]) -> None:
        for tid in track_ids:
            self._booked.pop(tid, None)

    def forget_scores(self, track_ids: tuple[int, ...]) -> None:
        for tid in track_ids:
            self._scores.pop(tid, None)
