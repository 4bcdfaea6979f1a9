"""The overlay: boxes, track ids, an honest label and a panel of seven named bars per face.

Text scales with the frame (readable from 640x360 to 4K). Labels and panels are placed by
`layout` so that they overlap neither each other nor any face when the frame has room; in a
crowded frame the panels shrink, then only the main face keeps its panel, before anything
overlaps; a label or panel set apart from its face is joined to it by a thin line in the
face's colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from ..classes import COMPOUND_CLASSES
from ..messages import FaceResult, FrameResult
from .labels import label_lines
from .layout import FaceLayout, Rect, overlaps, place
from .va_dial import draw_va

FONT = cv2.FONT_HERSHEY_SIMPLEX
PANEL_FACTORS = (1.0, 0.85, 0.7)  # panel text relative to label text, tried in turn when crowded
MIN_PANEL_SCALE = 0.33  # below this Hershey text stops being readable

# One colour per track id, stable across frames; BGR.
_PALETTE = (
    (80, 200, 255),
    (255, 160, 60),
    (120, 230, 120),
    (200, 120, 255),
    (90, 90, 240),
    (230, 220, 90),
    (160, 160, 160),
)
FALLBACK_COLOUR = (150, 150, 150)
_MUTED = (190, 190, 190)
_WHITE = (255, 255, 255)


def track_colour(track_id: int) -> tuple[int, int, int]:
    return _PALETTE[track_id % len(_PALETTE)]


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
        (_, h), base = _text_size("Ag", scale or self.scale, self.thickness)
        return h + base + max(1, self.pad // 2)

    def width(self, text: str, scale: float | None = None) -> int:
        return _text_size(text, scale or self.scale, self.thickness)[0][0]


@lru_cache(maxsize=4096)
def _text_size(text: str, scale: float, thickness: int) -> tuple[tuple[int, int], int]:
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    return (w, h), base


def _label_size(style: Style, lines: list[str]) -> tuple[int, int]:
    return max(style.width(t) for t in lines) + 2 * style.pad, style.line() * len(lines) + style.pad


def _panel_scale(style: Style, factor: float) -> float:
    return max(MIN_PANEL_SCALE, style.scale * factor)


def _panel_size(style: Style, scale: float) -> tuple[int, int]:
    caption = max(style.width(n, scale) for n in COMPOUND_CLASSES)
    row = style.line(scale)
    return caption + 5 * row + style.width("0.00", scale) + 4 * style.pad, row * len(COMPOUND_CLASSES) + style.pad


def _box(face: FaceResult) -> Rect:
    x1, y1, x2, y2 = (int(round(v)) for v in face.detection.box)
    return Rect(x1, y1, x2, y2)


def _watermark_rect(style: Style, text: str, height: int) -> Rect:
    return Rect(0, height - style.line() - style.pad, style.width(text) + 2 * style.pad, height)


def layout(result: FrameResult, watermark: str = "") -> tuple[list[FaceLayout], float]:
    """Every face's rectangles, and the panel text scale they were made for (see the module)."""
    h, w = result.frame.image.shape[:2]
    style = Style.for_frame(w, h)
    reserved = (_watermark_rect(style, watermark, h),) if watermark else ()
    faces = [_box(f) for f in result.faces]
    labels = [_label_size(style, label_lines(f)) for f in result.faces]
    lead = [f.protagonist for f in result.faces]
    # Crowded: smaller panels first, then a panel for the main face only, before any overlap.
    tries = [(factor, [True] * len(faces)) for factor in PANEL_FACTORS] + [(PANEL_FACTORS[-1], lead)]
    best: tuple[tuple[int, int], list[FaceLayout], float] | None = None
    for factor, with_panel in tries:
        scale = _panel_scale(style, factor)
        panel = _panel_size(style, scale)
        panels = [panel if keep else None for keep in with_panel]
        placed = place((w, h), faces, labels, panels, reserved, gap=style.pad)
        among, covered = overlaps(placed, reserved)
        if best is None or (among, covered) < best[0]:
            best = ((among, covered), placed, scale)
        if among == 0 and covered == 0:
            break
    assert best is not None
    return best[1], best[2]


def _backdrop(image: np.ndarray, rect: Rect, colour: tuple[int, int, int], thickness: int) -> None:
    """A darkened rectangle with a border in the face's colour, so text reads on any picture."""
    region = image[max(0, rect.y1) : rect.y2, max(0, rect.x1) : rect.x2]
    region[:] = (region * 0.25).astype(np.uint8)
    cv2.rectangle(image, (rect.x1, rect.y1), (rect.x2 - 1, rect.y2 - 1), colour, thickness)


def _leader(image: np.ndarray, face: Rect, rect: Rect, colour: tuple[int, int, int], style: Style) -> None:
    """A thin line from a face to its label or panel when they do not touch."""
    if face.gap(rect) <= 2 * style.pad:
        return
    cx, cy = (rect.x1 + rect.x2) // 2, (rect.y1 + rect.y2) // 2
    fx, fy = int(np.clip(cx, face.x1, face.x2)), int(np.clip(cy, face.y1, face.y2))
    px, py = int(np.clip(fx, rect.x1, rect.x2 - 1)), int(np.clip(fy, rect.y1, rect.y2 - 1))
    cv2.line(image, (fx, fy), (px, py), colour, 1, cv2.LINE_AA)


def _draw_label(image: np.ndarray, rect: Rect, lines: list[str], colour: tuple[int, int, int], style: Style) -> None:
    _backdrop(image, rect, colour, 1)
    row = style.line()
    for i, text in enumerate(lines):
        base = rect.y1 + (i + 1) * row - max(1, style.pad // 2)
        cv2.putText(
            image,
            text,
            (rect.x1 + style.pad, base),
            FONT,
            style.scale,
            colour if i == 0 else _WHITE,
            style.thickness,
            cv2.LINE_AA,
        )


def _draw_panel(
    image: np.ndarray, rect: Rect, probs: np.ndarray, colour: tuple[int, int, int], style: Style, scale: float
) -> None:
    _backdrop(image, rect, colour, 1)
    row = style.line(scale)
    caption = max(style.width(n, scale) for n in COMPOUND_CLASSES)
    top = int(np.argmax(probs))
    bar_x, bar_w = rect.x1 + 2 * style.pad + caption, 4 * row
    for i, (name, p) in enumerate(zip(COMPOUND_CLASSES, probs, strict=False)):
        y = rect.y1 + style.pad // 2 + i * row
        text_colour = _WHITE if i == top else _MUTED
        cv2.putText(
            image, name, (rect.x1 + style.pad, y + row - 3), FONT, scale, text_colour, style.thickness, cv2.LINE_AA
        )
        cv2.rectangle(image, (bar_x, y + 2), (bar_x + bar_w, y + row - 2), (70, 70, 70), cv2.FILLED)
        cv2.rectangle(
            image, (bar_x, y + 2), (bar_x + int(bar_w * float(np.clip(p, 0, 1))), y + row - 2), colour, cv2.FILLED
        )
        cv2.putText(
            image,
            f"{float(p):.2f}",
            (bar_x + bar_w + style.pad, y + row - 3),
            FONT,
            scale,
            text_colour,
            style.thickness,
            cv2.LINE_AA,
        )


def draw_face(image: np.ndarray, face: FaceResult, where: FaceLayout, style: Style, panel_scale: float) -> None:
    colour = FALLBACK_COLOUR if face.fallback else track_colour(face.track_id)
    box = where.face
    cv2.rectangle(
        image,
        (box.x1, box.y1),
        (box.x2, box.y2),
        colour,
        1 if face.fallback else max(1, round(2 * style.scale)),
        cv2.LINE_AA,
    )
    for rect in (where.label, where.panel):
        if rect is not None:
            _leader(image, box, rect, colour, style)
    _draw_label(image, where.label, label_lines(face), colour, style)
    if face.smoothed.va is not None:
        draw_va(image, box, face.smoothed.va, colour)
    if where.panel is not None:
        _draw_panel(image, where.panel, face.smoothed.compound, colour, style, panel_scale)


def draw(result: FrameResult, watermark: str) -> np.ndarray:
    """A copy of the frame with every face drawn and a watermark naming the producer."""
    image = result.frame.image.copy()
    h, w = image.shape[:2]
    style = Style.for_frame(w, h)
    places, panel_scale = layout(result, watermark)
    for face, where in zip(result.faces, places, strict=False):
        draw_face(image, face, where, style, panel_scale)
    mark = _watermark_rect(style, watermark, h)
    region = image[mark.y1 : mark.y2, mark.x1 : mark.x2]
    region[:] = (region * 0.3).astype(np.uint8)
    cv2.putText(
        image, watermark, (style.pad, h - style.pad - 2), FONT, style.scale, _WHITE, style.thickness, cv2.LINE_AA
    )
    return image
