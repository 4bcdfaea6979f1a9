"""The camera's own motion between two frames: pan, tilt, zoom and roll as one similarity.

A moving camera changes every pixel of the picture, which the change test (change_watch.py)
would take for new content on every frame, and a whole-frame scan would follow every few
frames. With the camera's motion known, the picture at the last scan is moved to where the
camera now looks; what is left of the change is new content: the strip a pan brings in, a
face that popped up. Corners of the earlier frame are tracked into the later one with
pyramidal Lucas-Kanade on small grey copies, and a similarity is fitted to them robustly
(RANSAC), so faces and people moving against the background count as outliers. About 2 ms
at 720p, and only asked for when the picture has changed.
"""

from __future__ import annotations

import cv2
import numpy as np

LONG_SIDE = 320  # the grey copies' long side (about)
MIN_POINTS = 12  # fewer tracked corners than this: the motion is unknown
MIN_INLIERS = 0.5  # share of tracked corners the similarity must explain
CORNERS = 100


def grey(image: np.ndarray) -> tuple[np.ndarray, int]:
    """A small grey copy of the frame, and the step it was read with (every step-th pixel: a
    resize that averages costs more than the tracking itself)."""
    step = max(1, round(max(image.shape[:2]) / LONG_SIDE))
    small = np.ascontiguousarray(image[::step, ::step])
    return (cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small), step


def identity() -> np.ndarray:
    return np.float64([[1, 0, 0], [0, 1, 0]])


def motion(before: np.ndarray, after: np.ndarray, step: int) -> np.ndarray | None:
    """The 2x3 similarity taking `before`'s pixels to `after`'s, in frame pixels (grey copies
    read with `step`); None when it cannot be told (a flat picture, most of it moving on its own)."""
    if before.shape != after.shape:
        return None
    corners = cv2.goodFeaturesToTrack(before, maxCorners=CORNERS, qualityLevel=0.01, minDistance=10)
    if corners is None or len(corners) < MIN_POINTS:
        return None
    moved, status, _ = cv2.calcOpticalFlowPyrLK(before, after, corners, None, winSize=(15, 15), maxLevel=3)
    ok = status.reshape(-1) == 1
    if int(ok.sum()) < MIN_POINTS:
        return None
    matrix, inliers = cv2.estimateAffinePartial2D(corners[ok], moved[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0)
    if matrix is None or inliers is None or float(inliers.mean()) < MIN_INLIERS:
        return None
    out = np.asarray(matrix, np.float64).copy()
    out[:, 2] *= step  # same rotation and scale; the translation in frame pixels
    return out
