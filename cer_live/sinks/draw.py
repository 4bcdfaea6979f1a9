"""The overlay: boxes, track ids, an honest label and a panel of seven named bars per face.

Labels and panels are placed (see `placement`) so that they overlap neither each other nor
any face when the frame has room, and cover little of the people under the faces; in a
crowded frame the panels shrink, then only the main face keeps its panel, before anything
overlaps; a label or panel set apart from its face is joined to it by a thin line in the
face's colour. Lines and boxes go under every label and panel, so no line crosses one.

`Overlay` keeps placement and rendered labels per track from frame to frame (a video, a
live view): its cost follows the faces that changed. `draw` is one frame on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ..messages import FaceResult, FrameResult
from . import sprites
from .labels import label_lines
from .layout import FaceLayout, Rect, leader
from .placement import FaceItem, Placements
from .style import FALLBACK_COLOUR, WHITE, Style, label_size, panel_scales, panel_size, put_text, track_colour
from .va_dial import draw_va

__all__ = ["FALLBACK_COLOUR", "Overlay", "Style", "draw", "layout", "track_colour"]

WATERMARK_BACKDROP = 0.3


@dataclass(frozen=True)
class _Plan:
    """One frame's faces, what each says, and where each goes."""

    faces: tuple[FaceResult, ...]
    lines: list[tuple[str, ...]]
    scales: list[tuple[float, ...]]
    layouts: list[FaceLayout]


def _box(face: FaceResult) -> Rect:
    x1, y1, x2, y2 = (int(round(v)) for v in face.detection.box)
    return Rect(x1, y1, x2, y2)


def _colour(face: FaceResult) -> tuple[int, int, int]:
    return FALLBACK_COLOUR if face.fallback else track_colour(face.track_id)


def watermark_rect(style: Style, text: str, height: int) -> Rect:
    return Rect(0, height - style.line() - style.pad, style.width(text) + 2 * style.pad, height)


class Overlay:
    """Draws frames of one source, keeping placement and rendered labels per track."""

    def __init__(self, watermark: str) -> None:
        self.watermark = watermark
        self.placements = Placements()
        self._sprites: dict[tuple[int, str], tuple[tuple, sprites.Sprite]] = {}
        self._mark: tuple[tuple, sprites.Sprite] | None = None
        self._scales: tuple[Style, int, tuple[float, ...]] | None = None

    def plan(self, result: FrameResult, reserved: tuple[Rect, ...] = ()) -> _Plan:
        h, w = result.frame.image.shape[:2]
        style = Style.for_frame(w, h)
        if self.watermark:
            reserved = (*reserved, watermark_rect(style, self.watermark, h))
        lines = [tuple(label_lines(f)) for f in result.faces]
        boxes = [_box(f) for f in result.faces]
        choices = self._panel_scales(style, boxes)
        panels = tuple(panel_size(style, s) for s in choices)
        scales = [choices] * len(boxes)
        items = [
            FaceItem(face.track_id, box, label_size(style, list(text)), panels, face.protagonist)
            for face, box, text in zip(result.faces, boxes, lines, strict=True)
        ]
        layouts = self.placements.update((w, h), items, reserved, style.pad)
        return _Plan(result.faces, lines, scales, layouts)

    def _panel_scales(self, style: Style, boxes: list[Rect]) -> tuple[float, ...]:
        """One set of panel sizes for the frame, fitted to its typical face so that panels look
        alike; kept until that face size changes by a quarter (a change places every face again)."""
        if not boxes:
            return ()
        height = int(np.median([b.height for b in boxes]))
        held = self._scales
        if held is None or held[0] != style or abs(height - held[1]) > 0.25 * held[1]:
            held = self._scales = (style, height, panel_scales(style, height))
        return held[2]

    def draw(self, result: FrameResult, reserved: tuple[Rect, ...] = ()) -> np.ndarray:
        """A copy of the frame with every face drawn and a watermark naming the producer;
        labels and panels keep clear of `reserved` (a HUD) where they can."""
        image = result.frame.image.copy()
        style = Style.for_frame(image.shape[1], image.shape[0])
        plan = self.plan(result, reserved)
        for face, where in zip(plan.faces, plan.layouts, strict=True):
            self._lines(image, face, where, style)
        for face, text, choices, where in zip(plan.faces, plan.lines, plan.scales, plan.layouts, strict=True):
            self._label(image, face, text, where.label, style)
            if face.smoothed.va is not None:
                draw_va(image, where.face, face.smoothed.va, _colour(face))
            if where.panel is not None:
                self._panel(image, face, where.panel, style, choices[where.choice])
        self._watermark(image, style)
        live = {f.track_id for f in result.faces}
        for key in [k for k in self._sprites if k[0] not in live]:
            del self._sprites[key]
        return image

    def _lines(self, image: np.ndarray, face: FaceResult, where: FaceLayout, style: Style) -> None:
        colour, box = _colour(face), where.face
        thick = 1 if face.fallback else max(1, round(2 * style.scale))
        cv2.rectangle(image, (box.x1, box.y1), (box.x2, box.y2), colour, thick, cv2.LINE_AA)
        for rect in (where.label, where.panel):
            line = leader(box, rect, 2 * style.pad) if rect is not None else None
            if line is not None:
                cv2.line(image, line[:2], line[2:], colour, 1, cv2.LINE_AA)

    def _cached(self, track: int, kind: str, key: tuple, make: Callable[[], sprites.Sprite]) -> sprites.Sprite:
        held = self._sprites.get((track, kind))
        if held is None or held[0] != key:
            held = (key, make())
            self._sprites[(track, kind)] = held
        return held[1]

    def _label(self, image: np.ndarray, face: FaceResult, text: tuple[str, ...], rect: Rect, style: Style) -> None:
        colour, size = _colour(face), (rect.width, rect.height)
        key = (text, colour, size, style)
        sprite = self._cached(face.track_id, "label", key, lambda: sprites.label(size, text, colour, style))
        sprite.blit(image, rect.x1, rect.y1)

    def _panel(self, image: np.ndarray, face: FaceResult, rect: Rect, style: Style, scale: float) -> None:
        colour, size = _colour(face), (rect.width, rect.height)
        probs = face.smoothed.compound
        top = int(np.argmax(probs))
        key = (colour, size, style, scale, top)
        base = self._cached(face.track_id, "panel", key, lambda: sprites.panel_base(size, colour, style, scale, top))
        base.blit(image, rect.x1, rect.y1)
        sprites.panel_values(image, rect, probs, colour, style, scale)

    def _watermark(self, image: np.ndarray, style: Style) -> None:
        if not self.watermark:
            return
        h = image.shape[0]
        rect = watermark_rect(style, self.watermark, h)
        key = (rect, style)
        if self._mark is None or self._mark[0] != key:

            def paint(canvas: np.ndarray, colourful: bool) -> None:
                put_text(
                    canvas,
                    self.watermark,
                    (style.pad, rect.height - style.pad - 2),
                    style.scale,
                    WHITE if colourful else 255,
                    style.thickness,
                )

            self._mark = (key, sprites.render((rect.width, rect.height), paint, WATERMARK_BACKDROP))
        self._mark[1].blit(image, rect.x1, rect.y1)


def draw(result: FrameResult, watermark: str) -> np.ndarray:
    """One frame on its own (a picture, a preview): every face placed from scratch."""
    return Overlay(watermark).draw(result)


def layout(result: FrameResult, watermark: str = "") -> tuple[list[FaceLayout], list[float | None]]:
    """Every face's rectangles on one frame on its own, and each panel's text scale."""
    plan = Overlay(watermark).plan(result)
    scales = [
        s[lay.choice] if lay.panel is not None else None for s, lay in zip(plan.scales, plan.layouts, strict=True)
    ]
    return plan.layouts, scales
