"""Five-point similarity alignment of faces to a member's template and input size."""

from __future__ import annotations

import cv2
import numpy as np

from ..messages import Detection


def similarity(landmarks: np.ndarray, template: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """2x3 similarity (rotation, uniform scale, translation) taking landmarks onto the template.

    `template` is in unit coordinates, `size` is (width, height) of the output crop.
    """
    dst = template * np.asarray(size, np.float64)
    matrix, _ = cv2.estimateAffinePartial2D(
        np.asarray(landmarks, np.float64).reshape(-1, 1, 2), dst.reshape(-1, 1, 2), method=cv2.LMEDS
    )
    if matrix is None:  # degenerate landmarks (all on one point); fall back to a plain scale
        matrix = _box_fit(np.asarray(landmarks, np.float64), dst)
    return matrix


def _box_fit(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    span_src = max(float(np.ptp(src[:, 0])), float(np.ptp(src[:, 1])), 1.0)
    span_dst = max(float(np.ptp(dst[:, 0])), float(np.ptp(dst[:, 1])), 1.0)
    s = span_dst / span_src
    t = dst.mean(axis=0) - s * src.mean(axis=0)
    return np.array([[s, 0.0, t[0]], [0.0, s, t[1]]])


def align(
    image: np.ndarray, detections: tuple[Detection, ...], template: np.ndarray, size: tuple[int, int]
) -> np.ndarray:
    """Aligned BGR crops, shape (N, height, width, 3), for every detection."""
    width, height = size
    out = np.empty((len(detections), height, width, 3), np.uint8)
    for i, det in enumerate(detections):
        matrix = similarity(np.asarray(det.landmarks), template, size)
        out[i] = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out
