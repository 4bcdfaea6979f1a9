"""BlazeFace (MediaPipe face detection) output decoding: SSD anchors, boxes, six keypoints.

The anchor layouts and scales are those of MediaPipe's own short- and full-range graphs
(`face_detection_short_range.pbtxt`, `face_detection_full_range.pbtxt`); the network
regresses offsets in input pixels from the centre of fixed-size anchors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class BlazeFaceSpec:
    """One BlazeFace variant: its model file, input side and anchor grid."""

    model: str  # file name in the mediapipe wheel's modules/face_detection folder
    side: int  # square input, in pixels
    strides: tuple[int, ...]  # one entry per SSD layer; equal strides share a grid
    anchors_per_layer: int
    score_threshold: float


SHORT_RANGE = BlazeFaceSpec("face_detection_short_range.tflite", 128, (8, 16, 16, 16), 2, 0.5)
FULL_RANGE = BlazeFaceSpec("face_detection_full_range_sparse.tflite", 192, (4,), 1, 0.6)
RANGES = {"short": SHORT_RANGE, "full": FULL_RANGE}
# Keypoint order of the model: subject's right eye, left eye, nose tip, mouth centre, right ear, left ear.
KEYPOINTS = 6


@lru_cache(maxsize=4)
def anchors(spec: BlazeFaceSpec) -> np.ndarray:
    """(N, 2) anchor centres in [0, 1]; layers of equal stride share one grid."""
    centres = []
    i = 0
    while i < len(spec.strides):
        stride = spec.strides[i]
        per_cell = 0
        while i < len(spec.strides) and spec.strides[i] == stride:
            per_cell += spec.anchors_per_layer
            i += 1
        grid = spec.side // stride
        ys, xs = np.mgrid[0:grid, 0:grid]
        cell = np.stack([(xs + 0.5) / grid, (ys + 0.5) / grid], axis=-1).reshape(-1, 1, 2)
        centres.append(np.repeat(cell, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(centres).astype(np.float32)


def decode(raw: np.ndarray, logits: np.ndarray, spec: BlazeFaceSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes (K, 4) x1 y1 x2 y2, scores (K,) and keypoints (K, 6, 2), all in [0, 1] of the input
    square, for the anchors that pass the score threshold."""
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.reshape(-1).astype(np.float64), -100.0, 100.0)))
    keep = np.flatnonzero(scores >= spec.score_threshold)
    centre = anchors(spec)[keep]
    reg = raw[keep] / spec.side
    cx, cy = centre[:, 0] + reg[:, 0], centre[:, 1] + reg[:, 1]
    half_w, half_h = reg[:, 2] / 2, reg[:, 3] / 2
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
    points = reg[:, 4 : 4 + 2 * KEYPOINTS].reshape(-1, KEYPOINTS, 2) + centre[:, None, :]
    return boxes, scores[keep], points
