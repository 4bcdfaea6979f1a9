"""Labels and panels rendered once per change, then blitted onto each frame.

A sprite is what a label or panel draws (its ink, anti-aliased, on black) and how much of
the picture under it stays (a quarter where there is no ink: the darkened backdrop that
makes text read on any picture). Blitting it is two whole-array operations, however much
text it holds. A panel's names and empty bars change rarely (a sprite); its bar lengths and
numbers change with every score and are drawn on top.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ..classes import COMPOUND_CLASSES
from .layout import Rect
from .style import MUTED, TROUGH, WHITE, Style, put_text

BACKDROP = 0.25  # how much of the picture shows through a label or panel
Painter = Callable[[np.ndarray, bool], None]  # draws on a canvas, in colour (True) or as a white mask


@dataclass(frozen=True)
class Sprite:
    ink: np.ndarray  # (h, w, 3) uint8: what is drawn, on black
    keep: np.ndarray  # (h, w, 3) uint8: how much of the picture stays, out of 255

    def blit(self, image: np.ndarray, x: int, y: int) -> None:
        h, w = self.ink.shape[:2]
        x0, y0, x1, y1 = max(0, x), max(0, y), min(image.shape[1], x + w), min(image.shape[0], y + h)
        if x1 <= x0 or y1 <= y0:
            return
        region = image[y0:y1, x0:x1]
        part = (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))
        cv2.multiply(region, self.keep[part], dst=region, scale=1 / 255)
        cv2.add(region, self.ink[part], dst=region)


def render(size: tuple[int, int], paint: Painter, backdrop: float = BACKDROP) -> Sprite:
    """A w x h sprite of what `paint` draws."""
    w, h = size
    ink = np.zeros((h, w, 3), np.uint8)
    paint(ink, True)
    mask = np.zeros((h, w), np.uint8)
    paint(mask, False)
    keep = np.round((255 - mask.astype(np.float32)) * backdrop).astype(np.uint8)
    return Sprite(ink, np.repeat(keep[..., None], 3, axis=2))


def label(size: tuple[int, int], lines: tuple[str, ...], colour: tuple[int, int, int], style: Style) -> Sprite:
    """The label: a border in the face's colour, its first line in that colour, the rest white."""
    row = style.line()

    def paint(canvas: np.ndarray, colourful: bool) -> None:
        c = colour if colourful else 255
        cv2.rectangle(canvas, (0, 0), (size[0] - 1, size[1] - 1), c, 1)
        for i, text in enumerate(lines):
            base = (i + 1) * row - max(1, style.pad // 2)
            ink = (colour if i == 0 else WHITE) if colourful else 255
            put_text(canvas, text, (style.pad, base), style.scale, ink, style.thickness)

    return render(size, paint)


@dataclass(frozen=True)
class PanelGeometry:
    row: int
    bar_x: int  # from the panel's left
    bar_w: int
    top_pad: int


def panel_geometry(style: Style, scale: float) -> PanelGeometry:
    row = style.line(scale)
    caption = max(style.width(n, scale) for n in COMPOUND_CLASSES)
    return PanelGeometry(row, 2 * style.pad + caption, 4 * row, style.pad // 2)


def panel_base(size: tuple[int, int], colour: tuple[int, int, int], style: Style, scale: float, top: int) -> Sprite:
    """What of a panel changes only with its leading class: border, names, empty bars."""
    g = panel_geometry(style, scale)

    def paint(canvas: np.ndarray, colourful: bool) -> None:
        cv2.rectangle(canvas, (0, 0), (size[0] - 1, size[1] - 1), colour if colourful else 255, 1)
        for i, name in enumerate(COMPOUND_CLASSES):
            y = g.top_pad + i * g.row
            ink = (WHITE if i == top else MUTED) if colourful else 255
            put_text(canvas, name, (style.pad, y + g.row - 3), scale, ink, style.thickness)
            trough = TROUGH if colourful else 255
            cv2.rectangle(canvas, (g.bar_x, y + 2), (g.bar_x + g.bar_w, y + g.row - 2), trough, cv2.FILLED)

    return render(size, paint)


def panel_values(
    image: np.ndarray, rect: Rect, probs: np.ndarray, colour: tuple[int, int, int], style: Style, scale: float
) -> None:
    """The bars' lengths and the numbers, drawn over the panel's base."""
    g = panel_geometry(style, scale)
    top = int(np.argmax(probs))
    bar_x = rect.x1 + g.bar_x
    for i, p in enumerate(probs[: len(COMPOUND_CLASSES)]):
        y = rect.y1 + g.top_pad + i * g.row
        length = int(g.bar_w * float(np.clip(p, 0, 1)))
        if length > 0:
            cv2.rectangle(image, (bar_x, y + 2), (bar_x + length, y + g.row - 2), colour, cv2.FILLED)
        ink = WHITE if i == top else MUTED
        put_text(image, f"{float(p):.2f}", (bar_x + g.bar_w + style.pad, y + g.row - 3), scale, ink, style.thickness)
