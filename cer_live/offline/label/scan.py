"""Per video: find the protagonist on every K-th frame, choose frames, then save their aligned crops.

Two passes over the file: the first keeps only detections (and uncertainties), so memory
stays flat on long videos; the second decodes again and aligns only the faces needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import crops, faces
from .crops import Crop
from .select import Candidate, borrow, pick, uncertainty


@dataclass(frozen=True)
class ScanOptions:
    every: int = 1
    max_per_video: int | None = None
    select: str = "even"
    borrow_within: int = 12
    crop: faces.CropSpec = faces.CropSpec()


@dataclass(frozen=True)
class FramePlan:
    source: str
    frame: int
    face_from: int | None  # the frame whose face is used; None when no face was near
    crop: Crop | None


def _scan(
    video: faces.VideoInput,
    finder: faces.FaceFinder,
    scorer: faces.Scorer | None,
    every: int,
    tick: Callable[[int], None],
) -> tuple[list[Candidate], dict[int, Any]]:
    candidates: list[Candidate] = []
    detections: dict[int, Any] = {}
    for frame, image in faces.frames(video):
        tick(frame + 1)
        if frame % every:
            continue
        det = finder.protagonist(image)
        score = None
        if det is not None:
            detections[frame] = det
            if scorer is not None:
                score = uncertainty(*scorer.score(image, det))
        candidates.append(Candidate(frame, det is not None, score))
    return candidates, detections


def plan_video(
    video: faces.VideoInput,
    finder: faces.FaceFinder,
    scorer: faces.Scorer | None,
    options: ScanOptions,
    out_dir: Path,
    tick: Callable[[int], None],
) -> list[FramePlan]:
    candidates, detections = _scan(video, finder, scorer, options.every, tick)
    chosen = borrow(pick(candidates, options.max_per_video, options.select), candidates, options.borrow_within)
    needed = {c.face_from for c in chosen if c.face_from is not None}
    saved: dict[int, Crop] = {}
    for frame in needed:
        found = crops.existing(out_dir, video.name, frame)
        if found is not None:
            saved[frame] = found
    missing = needed - set(saved)
    if missing:
        again = faces.reopen(video)
        try:
            for frame, image in faces.frames(again):
                if frame in missing:
                    saved[frame] = crops.save(
                        out_dir, video.name, frame, faces.crop(image, detections[frame], options.crop)
                    )
                    missing.discard(frame)
                    if not missing:
                        break
        finally:
            again.source.close()
    return [
        FramePlan(video.name, c.frame, c.face_from, saved.get(c.face_from) if c.face_from is not None else None)
        for c in chosen
    ]
