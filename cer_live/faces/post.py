"""Post-processing in frame order: tracks, protagonist, smoothing, nearest-frame fallback."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from .fallback import NearestFaceFallback
from ..messages import Analysed, FaceResult, FaceScores, FrameResult
from .smooth import Smoother, SmoothingConfig
from .track import protagonist_index


class PostProcessor:
    def __init__(self, smoothing: SmoothingConfig, fallback_age: int, look_ahead: bool) -> None:
        self.smoother = Smoother(smoothing)
        self.fallback = NearestFaceFallback(fallback_age, look_ahead)

    def push(self, item: Analysed) -> list[FrameResult]:
        t0 = time.perf_counter()
        dets = item.detections
        ids = item.track_ids
        for tid in item.ended_tracks:
            self.smoother.forget(tid)
        lead = protagonist_index(dets)
        faces = []
        for i, (det, scores) in enumerate(zip(dets, item.scores)):
            faces.append(
                FaceResult(
                    track_id=ids[i],
                    detection=det,
                    raw=scores,
                    smoothed=self._smooth(ids[i], scores),
                    protagonist=i == lead,
                    fresh=item.fresh[i],
                )
            )
        stage = dict(item.stage_ms)
        stage["post"] = (time.perf_counter() - t0) * 1000
        return self.fallback.push(FrameResult(item.frame, tuple(faces), stage))

    def flush(self) -> list[FrameResult]:
        return self.fallback.flush()

    def _smooth(self, track_id: int, scores: FaceScores) -> FaceScores:
        n = len(scores.compound)
        joined = scores.compound if scores.basic is None else np.concatenate([scores.compound, scores.basic])
        smoothed = self.smoother.update(track_id, joined)
        return replace(scores, compound=smoothed[:n], basic=None if scores.basic is None else smoothed[n:])
