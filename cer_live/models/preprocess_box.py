"""How a member's face crop is cut: aligned to a five-point template, or the detection box.

Models trained on landmark-aligned faces take `aligned` crops (faces/align.py). Models trained on
the detector's box (HSEmotion's AffectNet models take the face box as found, resized to their
input, with no alignment) take `box` crops: the box, grown by `margin` of its width and height
on each side, resized to the member's input size. The box is not made square: such models are
trained on boxes stretched to a square input, and the crop reproduces that.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from ..errors import PackError
from ..face_common.align import align
from ..messages import Detection

CROPS = ("aligned", "box")
MAX_MARGIN = 1.0


def read_crop(raw: Any, where: str) -> tuple[str, float]:
    """The manifest's optional `crop` object -> (kind, margin); absent means aligned."""
    if raw is None:
        return "aligned", 0.0
    if not isinstance(raw, dict):
        raise PackError(f'{where}: \'crop\' must be an object like {{"kind": "box", "margin": 0.1}}')
    kind = raw.get("kind", "aligned")
    if kind not in CROPS:
        raise PackError(f"{where}: crop kind '{kind}' is not one of {CROPS}")
    margin = raw.get("margin", 0.0)
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0.0 <= margin <= MAX_MARGIN:
        raise PackError(f"{where}: crop margin {margin!r} must be a number from 0 to {MAX_MARGIN}")
    return kind, float(margin)


def box_matrix(box: tuple[float, float, float, float], margin: float, size: tuple[int, int]) -> np.ndarray:
    """2x3 affine taking the grown box onto a (width, height) crop.

    Pixel centres map as cv2.resize maps them, so an in-frame box with whole-pixel corners gives
    the crop that cutting it out and resizing it would give."""
    x1, y1, x2, y2 = box
    w, h = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
    left, top = x1 - margin * w, y1 - margin * h
    sx, sy = w * (1 + 2 * margin) / size[0], h * (1 + 2 * margin) / size[1]
    return np.array([[1 / sx, 0.0, (0.5 - left) / sx - 0.5], [0.0, 1 / sy, (0.5 - top) / sy - 0.5]])


def box_crops(image: np.ndarray, detections: tuple[Detection, ...], margin: float, size: tuple[int, int]) -> np.ndarray:
    """BGR crops (N, height, width, 3) of every detection's box; edges past the frame repeat its border."""
    width, height = size
    out = np.empty((len(detections), height, width, 3), np.uint8)
    for i, det in enumerate(detections):
        matrix = box_matrix(det.box, margin, size)
        out[i] = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out


def crop_faces(image: np.ndarray, detections: tuple[Detection, ...], spec: Any) -> np.ndarray:
    """The crops a member takes (`spec` is a MemberSpec), as its manifest says."""
    if getattr(spec, "crop", "aligned") == "box":
        return box_crops(image, detections, spec.margin, spec.size)
    return align(image, detections, spec.template, spec.size)
