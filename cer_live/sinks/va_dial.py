"""A small two-axis dial for valence (across) and arousal (up), drawn in a corner of the face box.

Drawn only for faces that have valence-arousal (packs with such a member). It sits inside the
box, at its bottom-right corner, so it needs no place of its own in the layout; it is a fraction
of the box, never larger than `MAX_SIDE` pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

from .layout import Rect

MIN_SIDE, MAX_SIDE = 18, 96
_AXES = (150, 150, 150)
_WHITE = (255, 255, 255)


def dial_rect(box: Rect) -> Rect:
    side = int(np.clip(min(box.width, box.height) * 0.3, MIN_SIDE, MAX_SIDE))
    return Rect(box.x2 - side, box.y2 - side, box.x2, box.y2)


def point(rect: Rect, va: np.ndarray) -> tuple[int, int]:
    """Pixel of (valence, arousal) in [-1, 1]^2: valence to the right, arousal up."""
    v, a = (float(np.clip(x, -1.0, 1.0)) for x in va[:2])
    half = (rect.width - 1) / 2
    cx, cy = rect.x1 + half, rect.y1 + half
    return int(round(cx + v * half)), int(round(cy - a * half))


def draw_va(image: np.ndarray, box: Rect, va: np.ndarray, colour: tuple[int, int, int]) -> None:
    rect = dial_rect(box)
    h, w = image.shape[:2]
    if rect.x1 < 0 or rect.y1 < 0 or rect.x2 > w or rect.y2 > h:
        return  # a box running off the frame has no whole corner to draw in
    region = image[rect.y1 : rect.y2, rect.x1 : rect.x2]
    region[:] = (region * 0.3).astype(np.uint8)
    mid_x, mid_y = (rect.x1 + rect.x2 - 1) // 2, (rect.y1 + rect.y2 - 1) // 2
    cv2.line(image, (rect.x1, mid_y), (rect.x2 - 1, mid_y), _AXES, 1)
    cv2.line(image, (mid_x, rect.y1), (mid_x, rect.y2 - 1), _AXES, 1)
    cv2.rectangle(image, (rect.x1, rect.y1), (rect.x2 - 1, rect.y2 - 1), colour, 1)
    radius = max(2, rect.width // 12)
    cv2.circle(image, point(rect, va), radius, colour, cv2.FILLED, cv2.LINE_AA)
    cv2.circle(image, point(rect, va), radius, _WHITE, 1, cv2.LINE_AA)
