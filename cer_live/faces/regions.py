"""Regions around known faces: square crops scaled so the face has a set size, and back.

A region maps frame pixels to crop pixels by a scale and an origin, so a detection made
in the crop maps back exactly; the part of a region outside the frame is filled with the
detector's mean colour, which the network sees as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..messages import Detection


@dataclass(frozen=True)
class Region:
    x0: float  # frame coordinates of the crop's top-left corner
    y0: float
    scale: float  # crop pixels per frame pixel

    def to_frame(self, det: Detection) -> Detection:
        s, x0, y0 = self.scale, self.x0, self.y0
        x1, y1, x2, y2 = det.box
        return Detection(
            box=(x1 / s + x0, y1 / s + y0, x2 / s + x0, y2 / s + y0),
            score=det.score,
            landmarks=tuple((x / s + x0, y / s + y0) for x, y in det.landmarks),
        )


def region_for(box: tuple[float, float, float, float], size: int, face_px: float, max_scale: float) -> Region:
    """The square region of `size` crop pixels centred on `box`, its face scaled to about
    `face_px`, but enlarged at most `max_scale` times (a small face keeps a wider margin)."""
    x1, y1, x2, y2 = box
    face = max(x2 - x1, y2 - y1, 1.0)
    scale = min(max_scale, face_px / face)
    half = size / scale / 2
    return Region((x1 + x2) / 2 - half, (y1 + y2) / 2 - half, scale)


def crop(image: np.ndarray, region: Region, size: int, fill: tuple[float, float, float]) -> np.ndarray:
    """The region as a `size` x `size` BGR image (one affine warp: exact mapping, any overhang filled)."""
    s = region.scale
    # Pixel centres at half-integers on both sides (as the detector's boxes are), so that
    # crop = (frame - origin) * scale holds exactly for the continuous coordinates.
    matrix = np.float32([[s, 0, s * (0.5 - region.x0) - 0.5], [0, s, s * (0.5 - region.y0) - 0.5]])
    return cv2.warpAffine(
        image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )
