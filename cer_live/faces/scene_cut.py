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
SAMPLES = 4  # pixels read per cell and axis (more cost more: the range test of change_watch.py absorbs aliasing)


def thumbnail(image: np.ndarray) -> np.ndarray:
    """(18, 32, 3) float32 colour thumbnail."""
    step = max(1, min(image.shape[0] // (THUMB[1] * SAMPLES), image.shape[1] // (THUMB[0] * SAMPLES)))
    small = cv2.resize(np.ascontiguousarray(image[::step, ::step]), THUMB, interpolation=cv2.INTER_AREA)
    return small.astype(np.float32)


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(18, 32) mean absolute change per cell."""
    return np.abs(a - b).mean(axis=2)


def changed_cells(
    diff: np.ndarray, boxes: list[tuple[float, ...]], frame_hw: tuple[int, int], threshold: float, margin: float
) -> np.ndarray:
    """The (18, 32) mask of cells that changed by more than `threshold` away from every known face,
    each widened by `margin` times its size on every side (a head moving changes the hair and
    shoulders too)."""
    free = diff > threshold
    if not free.any():
        return free
    rows, cols = diff.shape
    sy, sx = rows / frame_hw[0], cols / frame_hw[1]
    for x1, y1, x2, y2 in boxes:
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        c1, c2 = int(max(0, (x1 - mx) * sx)), int(np.ceil(min(cols, (x2 + mx) * sx)))
        r1, r2 = int(max(0, (y1 - my) * sy)), int(np.ceil(min(rows, (y2 + my) * sy)))
        free[r1:r2, c1:c2] = False
    return free
