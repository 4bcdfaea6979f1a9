"""The overlay's look: text size for a frame size, track colours, and text that reads when small.

Text scales with the frame (readable from 640x360 to 4K). The near-tie sign `~` is drawn as
a wave as tall as a lower-case letter: the font's own tilde is a flat dash at small sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from ..classes import COMPOUND_CLASSES

FONT = cv2.FONT_HERSHEY_SIMPLEX
PANEL_FACTORS = (1.0, 0.85, 0.7, 0.55)  # panel text relative to label text, tried in turn when crowded
MIN_PANEL_SCALE = 0.33  # below this the text stops being readable
PANEL_TO_FACE = 1.1  # a panel is at most this many times its face's height, while it stays readable
TILDE = "~"

# One colour per track id, stable across frames; BGR. None is grey: grey means "held".
_PALETTE = (
    (80, 200, 255),
    (255, 160, 60),
    (120, 230, 120),
    (200, 120, 255),
    (90, 90, 240),
    (230, 220, 90),
    (255, 90, 190),
)
FALLBACK_COLOUR = (150, 150, 150)  # faces borrowed by the nearest-frame fallback ("held")
MUTED = (190, 190, 190)
WHITE = (255, 255, 255)
TROUGH = (70, 70, 70)


def track_colour(track_id: int) -> tuple[int, int, int]:
    return _PALETTE[track_id % len(_PALETTE)]


def palette() -> tuple[tuple[int, int, int], ...]:
    return _PALETTE


@dataclass(frozen=True)
class Style:
    """Text size and spacing for one frame size."""

    scale: float
    thickness: int
    pad: int

    @classmethod
    def for_frame(cls, width: int, height: int) -> Style:
        scale = float(np.clip(min(width, height) / 1100, 0.38, 1.6))
        return cls(scale, 1 if scale < 0.8 else 2, max(2, round(4 * scale)))

    def line(self, scale: float | None = None) -> int:
        (_, h), base = text_size("Ag", scale or self.scale, self.thickness)
        return h + base + max(1, self.pad // 2)

    def width(self, text: str, scale: float | None = None) -> int:
        return text_width(text, scale or self.scale, self.thickness)


@lru_cache(maxsize=8192)
def text_size(text: str, scale: float, thickness: int) -> tuple[tuple[int, int], int]:
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    return (w, h), base


def _tilde_width(scale: float, thickness: int) -> int:
    return text_size("W", scale, thickness)[0][0]


@lru_cache(maxsize=4096)
def text_width(text: str, scale: float, thickness: int) -> int:
    if TILDE not in text:
        return text_size(text, scale, thickness)[0][0]
    parts = text.split(TILDE)
    gaps = (len(parts) - 1) * _tilde_width(scale, thickness)
    return sum(text_size(p, scale, thickness)[0][0] for p in parts if p) + gaps


def put_text(
    image: np.ndarray, text: str, org: tuple[int, int], scale: float, colour: tuple[int, ...], thickness: int
) -> None:
    """cv2.putText, with every `~` drawn as a wave a lower-case letter high."""
    if TILDE not in text:
        cv2.putText(image, text, org, FONT, scale, colour, thickness, cv2.LINE_AA)
        return
    x, y = org
    for i, part in enumerate(text.split(TILDE)):
        if i:
            x = _wave(image, x, y, scale, colour, thickness)
        if part:
            cv2.putText(image, part, (x, y), FONT, scale, colour, thickness, cv2.LINE_AA)
            x += text_size(part, scale, thickness)[0][0]


def _wave(image: np.ndarray, x: int, y: int, scale: float, colour: tuple[int, ...], thickness: int) -> int:
    width = _tilde_width(scale, thickness)
    x_height = text_size("x", scale, thickness)[0][1]
    amplitude = max(1.5, 0.3 * x_height)
    t = np.linspace(0.0, 1.0, max(8, width))
    xs = x + 1 + t * (width - 2)
    ys = y - x_height / 2 - amplitude * np.sin(2 * np.pi * t)
    points = np.round(np.stack([xs, ys], axis=1) * 16).astype(np.int32)  # 4 fractional bits
    cv2.polylines(image, [points], False, colour, thickness + int(scale >= 0.5), cv2.LINE_AA, shift=4)
    return x + width


def label_size(style: Style, lines: list[str]) -> tuple[int, int]:
    return max(style.width(t) for t in lines) + 2 * style.pad, style.line() * len(lines) + style.pad


def panel_scale(style: Style, factor: float) -> float:
    return max(MIN_PANEL_SCALE, style.scale * factor)


@lru_cache(maxsize=256)
def panel_size(style: Style, scale: float) -> tuple[int, int]:
    caption = max(style.width(n, scale) for n in COMPOUND_CLASSES)
    row = style.line(scale)
    return caption + 5 * row + style.width("0.00", scale) + 4 * style.pad, row * len(COMPOUND_CLASSES) + style.pad


@lru_cache(maxsize=4096)
def panel_scales(style: Style, face_height: int) -> tuple[float, ...]:
    """Panel text sizes to try for a face, largest first: those whose panel is no taller than
    about the face (a panel should not hide the person), always at least the smallest."""
    scales = tuple(dict.fromkeys(panel_scale(style, f) for f in PANEL_FACTORS))
    fitting = tuple(s for s in scales if panel_size(style, s)[1] <= PANEL_TO_FACE * face_height)
    return fitting or scales[-1:]
