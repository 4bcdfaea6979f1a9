"""Short real clips cut from the sample videos, so that a cluster test runs in seconds."""

from __future__ import annotations

from pathlib import Path

import cv2


def cut(video: Path, out: Path, frames: int) -> Path:
    """The first `frames` frames of `video`, re-encoded at its own rate and size."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    ok, image = cap.read()
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (image.shape[1], image.shape[0]))
    for _ in range(frames):
        if not ok:
            break
        writer.write(image)
        ok, image = cap.read()
    writer.release()
    cap.release()
    return out
