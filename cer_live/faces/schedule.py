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
    scores: FaceScores


class Scheduler:
    def __init__(self, config: ScheduleConfig) -> None:
        if config.every < 1:
            raise ValueError("every must be >= 1")
        self.config = config
        self._last: dict[int, _Last] = {}

    def due(self, frame: int, track_ids: tuple[int, ...], detections: tuple[Detection, ...]) -> list[bool]:
        """Per detection: must the ensemble run on it now?"""
        if self.config.every == 1:
            return [True] * len(detections)
        out = []
        for tid, det in zip(track_ids, detections, strict=False):
            last = self._last.get(tid)
            if last is None or not 0 <= frame - last.frame < self.config.every:
                out.append(True)
                continue
            overlap = iou_matrix(last.box[None], np.asarray(det.box, np.float64)[None])[0, 0]
            out.append(bool(overlap < self.config.min_iou))
        return out

    def carried(self, track_id: int) -> FaceScores:
        return self._last[track_id].scores

    def remember(self, frame: int, track_id: int, detection: Detection, scores: FaceScores) -> None:
        if self.config.every > 1:
            self._last[track_id] = _Last(frame, np.asarray(detection.box, np.float64), scores)

    def forget(self, track_ids: tuple[int, ...]) -> None:
        for tid in track_ids:
            self._last.pop(tid, None)
