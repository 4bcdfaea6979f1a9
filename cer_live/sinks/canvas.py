"""The annotated video's frame size: what H.264 in a browser takes, and frames fitted to it.

H.264 4:2:0 needs even sides; browsers and hardware decoders stop at level 5.1/5.2 frame
sizes (4096x2304); very small frames are below what many players show. A source outside
these bounds is scaled (keeping its aspect) or padded, never refused: the analysis ran on
the original frame, only the picture of it changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

MIN_SIDE = 32
MAX_SIDE = 4096
MAX_PIXELS = 4096 * 2304


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    note: str  # why the size differs from the source's; empty when it does not


def _even_up(n: int) -> int:
    return n + (n % 2)


def canvas_for(width: int, height: int) -> Canvas:
    """The encoder's frame size for a source of `width` x `height`."""
    scale = min(1.0, MAX_SIDE / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))
    w, h = width, height
    notes = []
    if scale < 1.0:  # rounded down to even sides, so that no padding follows
        w, h = max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
        notes.append(
            f"scaled down to {w}x{h}, within {MAX_SIDE} px a side and {MAX_PIXELS} pixels (H.264 level 5.1, what browsers decode; aspect kept)"
        )
    if w < MIN_SIDE or h < MIN_SIDE:
        notes.append(f"padded to at least {MIN_SIDE}x{MIN_SIDE}")
        w, h = max(MIN_SIDE, w), max(MIN_SIDE, h)
    if w % 2 or h % 2:
        notes.append("padded to even sides for H.264")
        w, h = _even_up(w), _even_up(h)
    note = f"{width}x{height} frames: " + ", ".join(notes) if notes else ""
    return Canvas(w, h, note)


def fit(image: np.ndarray, canvas: Canvas) -> np.ndarray:
    """`image` scaled to fit the canvas keeping its aspect, centred on black: never stretched."""
    h, w = image.shape[:2]
    if (w, h) == (canvas.width, canvas.height):
        return image
    scale = min(1.0, canvas.width / w, canvas.height / h)
    if scale < 1.0:
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        h, w = image.shape[:2]
    out = np.zeros((canvas.height, canvas.width, 3), np.uint8)
    top, left = (canvas.height - h) // 2, (canvas.width - w) // 2
    out[top : top + h, left : left + w] = image
    return out
