"""Alignment templates: where the five landmarks land in a member's input (plain data)."""

from __future__ import annotations

import numpy as np

# The widely used ArcFace 112x112 five-point template, normalised to the unit square:
# image-left eye, image-right eye, nose tip, image-left mouth corner, image-right mouth corner.
ARCFACE_TEMPLATE: tuple[tuple[float, float], ...] = (
    (38.2946 / 112, 51.6963 / 112),
    (73.5318 / 112, 51.5014 / 112),
    (56.0252 / 112, 71.7366 / 112),
    (41.5493 / 112, 92.3655 / 112),
    (70.7299 / 112, 92.2041 / 112),
)


def loosen(template: tuple[tuple[float, float], ...], scale: float, shift_y: float = 0.0) -> np.ndarray:
    """Shrink a unit-square template towards its centre so that the crop shows more context."""
    points = np.asarray(template, np.float64)
    return (points - 0.5) * scale + 0.5 + np.array([0.0, shift_y])


TEMPLATES = {"arcface": ARCFACE_TEMPLATE}
