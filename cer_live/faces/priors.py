"""RetinaFace prior boxes and the decoding of its regression outputs, vectorised with numpy."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=16)
def prior_boxes(
    height: int,
    width: int,
    steps: tuple[int, ...],
    min_sizes: tuple[tuple[int, ...], ...],
) -> np.ndarray:
    """Priors (P, 4) as (cx, cy, w, h), normalised by the input size.

    Order matches the network's outputs: level by level; within a level row-major over the
    feature map; within a cell one prior per min size.
    """
    levels = []
    for step, sizes in zip(steps, min_sizes, strict=False):
        rows, cols = math.ceil(height / step), math.ceil(width / step)
        ys, xs = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
        cx = ((xs.reshape(-1) + 0.5) * step / width).astype(np.float32)
        cy = ((ys.reshape(-1) + 0.5) * step / height).astype(np.float32)
        n_sizes = len(sizes)
        sw = np.tile(np.asarray(sizes, np.float32) / width, rows * cols)
        sh = np.tile(np.asarray(sizes, np.float32) / height, rows * cols)
        levels.append(np.stack([np.repeat(cx, n_sizes), np.repeat(cy, n_sizes), sw, sh], axis=1))
    priors = np.concatenate(levels, axis=0)
    priors.setflags(write=False)  # cached and shared between calls
    return priors


def decode_boxes(loc: np.ndarray, priors: np.ndarray, variances: tuple[float, float]) -> np.ndarray:
    """Regression (..., P, 4) to corner boxes (x1, y1, x2, y2), normalised."""
    centres = priors[:, :2] + loc[..., :2] * variances[0] * priors[:, 2:]
    sizes = priors[:, 2:] * np.exp(loc[..., 2:] * variances[1])
    return np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=-1)


def decode_landmarks(pre: np.ndarray, priors: np.ndarray, variances: tuple[float, float]) -> np.ndarray:
    """Landmark regression (..., P, 10) to points (..., P, 5, 2), normalised."""
    points = pre.reshape(*pre.shape[:-1], 5, 2)
    return priors[:, None, :2] + points * variances[0] * priors[:, None, 2:]
