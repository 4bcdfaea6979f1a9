"""Aligned BGR crops to a member's input tensor, as its manifest entry says."""

from __future__ import annotations

import cv2
import numpy as np


def to_tensor(crops: np.ndarray, colour: str, mean: tuple[float, ...], std: tuple[float, ...]) -> np.ndarray:
    """(N, H, W, 3) BGR uint8 to (N, C, H, W) float32: scale to [0, 1], then (x - mean) / std."""
    if colour == "gray":
        planes = (
            np.stack([cv2.cvtColor(c, cv2.COLOR_BGR2GRAY) for c in crops])[..., None] if len(crops) else crops[..., :1]
        )
    elif colour == "rgb":
        planes = crops[..., ::-1]
    else:
        planes = crops
    scale = np.float32(1.0 / 255.0)
    m = np.asarray(mean, np.float32)
    s = np.asarray(std, np.float32)
    x = (planes.astype(np.float32) * scale - m) / s
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))
