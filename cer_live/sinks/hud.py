"""The live window's HUD: fps, drops, latency and stage medians in the top-left corner.

Its rectangle is reserved before the overlay places labels and panels, so it never covers
a face's label or bars; it only grows (in steps), so the overlay's placement is not redone
for a digit more. A stage's median is over the frames it ran on: a stage skipped on some
frames (no face, `--every`) shows its share of frames, never a 0 ms that did not happen.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import cv2
import numpy as np

from ..messages import FrameResult
from .draw import Overlay
from .layout import Rect

KEYS_HELP = "q quit | r raw/smoothed | p protagonist/all"
STAGES = ("decode", "detect", "align", "infer", "post")
ROLLING = 120  # frames behind the HUD's figures
STEP = 40  # the HUD's width grows in steps of this many pixels
FONT = cv2.FONT_HERSHEY_SIMPLEX


def stage_medians(frames: Iterable[dict[str, float]]) -> list[str]:
    """'detect 4.1' per stage, over the frames that ran it; '(ran on k/n)' when not all did."""
    frames = list(frames)
    out = []
    for stage in STAGES:
        ran = [f[stage] for f in frames if stage in f]
        if not ran:
            continue
        text = f"{stage} {float(np.median(ran)):.1f}"
        if len(ran) < len(frames):
            text += f" ({len(ran)}/{len(frames)})"
        out.append(text)
    return out


class Hud:
    def __init__(self) -> None:
        self._times: deque[float] = deque(maxlen=ROLLING)
        self._latency: deque[float] = deque(maxlen=ROLLING)
        self._stages: deque[dict[str, float]] = deque(maxlen=ROLLING)
        self._width = 0

    def record(self, shown_at: float, latency_ms: float, stage_ms: dict[str, float]) -> None:
        self._times.append(shown_at)
        self._latency.append(latency_ms)
        self._stages.append(stage_ms)

    def lines(self, dropped: int, mode: str) -> list[str]:
        t = self._times
        fps = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 0.0
        lines = [f"{fps:5.1f} fps   dropped {dropped}   {mode}"]
        if self._latency:
            p50, p95 = np.percentile(np.asarray(self._latency), [50, 95])
            lines.append(f"capture->display p50 {p50:5.1f} ms  p95 {p95:5.1f} ms")
        stages = stage_medians(self._stages)
        if stages:
            lines.append("  ".join(stages) + " ms")
        return [*lines, KEYS_HELP]

    @staticmethod
    def _metrics(shape: tuple[int, ...]) -> tuple[float, int]:
        scale = max(0.4, min(shape[:2]) / 900)
        return scale, int(22 * scale / 0.5)

    def rect(self, shape: tuple[int, ...], lines: list[str]) -> Rect:
        """Where the HUD goes for these lines; the same rectangle while the text fits."""
        scale, row = self._metrics(shape)
        width = max(cv2.getTextSize(line, FONT, scale, 1)[0][0] for line in lines) + 12
        if width > self._width:
            self._width = -(-width // STEP) * STEP
        height = row * max(len(lines), 4) + 8  # the full HUD's height from the first frame
        return Rect(0, 0, min(self._width, shape[1]), min(height, shape[0]))

    def draw(self, image: np.ndarray, rect: Rect, lines: list[str]) -> None:
        scale, row = self._metrics(image.shape)
        region = image[rect.y1 : rect.y2, rect.x1 : rect.x2]
        region[:] = (region * 0.35).astype(np.uint8)  # darken, so the text reads on any frame
        for i, line in enumerate(lines):
            cv2.putText(image, line, (6, row * (i + 1)), FONT, scale, (255, 255, 255), 1, cv2.LINE_AA)


def compose(overlay: Overlay, hud: Hud, result: FrameResult, mode: str) -> tuple[np.ndarray, Rect]:
    """The frame as the window shows it: the overlay, kept clear of the HUD, then the HUD; and where the HUD is."""
    lines = hud.lines(result.frame.dropped, mode)
    corner = hud.rect(result.frame.image.shape, lines)
    image = overlay.draw(result, reserved=(corner,))
    hud.draw(image, corner, lines)
    return image, corner
