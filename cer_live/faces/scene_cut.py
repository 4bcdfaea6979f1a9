"""Cheap change detection on tiny thumbnails: scene cuts, and new content away from known faces.

A cut changes most of the picture at once; faces moving or talking change a small part of
it. The per-cell absolute difference of 32x18 colour thumbnails against the previous frame
(colour, so two scenes of the same brightness still differ; made from a strided view of the
frame, well under a millisecond at 1080p) tells a cut (a large mean) from a face popping up
or sliding in (a few cells that change where no known face is).
"""

from __future__ import annotations

import cv2
import numpy as np

THUMB = (32, 18)  # width, height in cells


class Thumbnails:
    def __init__(self) -> None:
        self._last: np.ndarray | None = None

    def diff(self, image: np.ndarray) -> np.ndarray | None:
        """(18, 32) mean absolute change per cell since the previous frame; None for the first."""
        step = max(1, min(image.shape[0] // (THUMB[1] * 4), image.shape[1] // (THUMB[0] * 4)))
        small = cv2.resize(np.ascontiguousarray(image[::step, ::step]), THUMB, interpolation=cv2.INTER_AREA)
        thumb = small.astype(np.float32)
        last, self._last = self._last, thumb
        if last is None or last.shape != thumb.shape:
            return None
        return np.abs(thumb - last).mean(axis=2)


def changed_away_from(diff: np.ndarray, boxes: list[tuple[float, ...]], frame_hw: tuple[int, int], threshold: float) -> bool:
    """Whether a cell changed by more than `threshold` outside every known face (with a margin:
    a face's own motion changes the cells around it)."""
    free = diff > threshold
    if not free.any():
        return False
    rows, cols = diff.shape
    sy, sx = rows / frame_hw[0], cols / frame_hw[1]
    for x1, y1, x2, y2 in boxes:
        mx, my = (x2 - x1) * 0.5, (y2 - y1) * 0.5
        c1, c2 = int(max(0, (x1 - mx) * sx)), int(np.ceil(min(cols, (x2 + mx) * sx)))
        r1, r2 = int(max(0, (y1 - my) * sy)), int(np.ceil(min(rows, (y2 + my) * sy)))
        free[r1:r2, c1:c2] = False
    return bool(free.any())
