"""The live overlay window (OpenCV HighGUI), with a HUD and keys.

Keys: q or Esc quits (a clean stop), r toggles raw and smoothed labels, p toggles showing
only the protagonist. Closing the window also stops the run. Shown from the pipeline's
calling thread, which is the main thread in the CLI, as HighGUI requires on some systems.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from dataclasses import replace

import cv2
import numpy as np

from ..errors import OutputError
from ..messages import FrameResult
from .base import Sink
from .draw import draw

KEYS_HELP = "q quit | r raw/smoothed | p protagonist/all"
_ROLLING = 120  # frames behind the HUD's figures


def has_display() -> bool:
    return not sys.platform.startswith("linux") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check_display(out_given: bool = False) -> None:
    """Fails at start-up, with the fix, when no window can be shown."""
    if not has_display():
        fix = "drop --show (files still go to --out)" if out_given else "write files with --out instead"
        raise OutputError(f"--show needs a display and none is set ($DISPLAY is empty); {fix}")


class LiveWindow(Sink):
    name = "window"
    path = None
    shows = True  # drawn before the files are written, so they can record display latency

    def __init__(self, title: str, watermark: str) -> None:
        self.title = title
        self.watermark = watermark
        self.raw = False
        self.protagonist_only = False
        self.wants_stop = False
        self._times: deque[float] = deque(maxlen=_ROLLING)
        self._latency: deque[float] = deque(maxlen=_ROLLING)
        self._stages: deque[dict[str, float]] = deque(maxlen=_ROLLING)
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise OutputError(
                f"cannot open a window ({str(exc).strip().splitlines()[-1]}); write files with --out instead"
            ) from exc
        self._opened = True
        self._sized = False

    def write(self, result: FrameResult) -> None:
        faces = result.faces
        if self.protagonist_only:
            faces = tuple(f for f in faces if f.protagonist)
        if self.raw:
            faces = tuple(replace(f, smoothed=f.raw) for f in faces)
        image = draw(replace(result, faces=faces), self.watermark)
        self._hud(image, result)
        if not self._sized:
            # A resizable window starts at a toolkit default size; open it at the frame's size.
            cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
            self._sized = True
        cv2.imshow(self.title, image)
        self._keys(cv2.waitKey(1))
        now = time.monotonic()
        self._times.append(now)
        self._latency.append((now - result.frame.t_capture) * 1000)
        self._stages.append(result.stage_ms)

    def _keys(self, key: int) -> None:
        key &= 0xFF
        if key in (ord("q"), 27):
            self.wants_stop = True
        elif key == ord("r"):
            self.raw = not self.raw
        elif key == ord("p"):
            self.protagonist_only = not self.protagonist_only
        try:
            if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
                self.wants_stop = True  # the user closed the window
        except cv2.error:
            self.wants_stop = True

    def _hud(self, image: np.ndarray, result: FrameResult) -> None:
        fps = (
            (len(self._times) - 1) / (self._times[-1] - self._times[0])
            if len(self._times) > 1 and self._times[-1] > self._times[0]
            else 0.0
        )
        lines = [
            f"{fps:5.1f} fps   dropped {result.frame.dropped}   {'RAW' if self.raw else 'smoothed'}{'  protagonist' if self.protagonist_only else ''}"
        ]
        if self._latency:
            p50, p95 = np.percentile(np.asarray(self._latency), [50, 95])
            lines.append(f"capture->display p50 {p50:5.1f} ms  p95 {p95:5.1f} ms")
        if self._stages:
            keys = [k for k in ("decode", "detect", "align", "infer", "post") if k in self._stages[-1]]
            medians = {k: float(np.median([s.get(k, 0.0) for s in self._stages])) for k in keys}
            lines.append("  ".join(f"{k} {v:.1f}" for k, v in medians.items()) + " ms")
        lines.append(KEYS_HELP)
        scale = max(0.4, min(image.shape[:2]) / 900)
        row = int(22 * scale / 0.5)
        height = row * len(lines) + 8
        width = int(max(cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0] for line in lines)) + 12
        region = image[:height, :width]
        region[:] = (region * 0.35).astype(np.uint8)  # darken, so the text reads on any frame
        for i, line in enumerate(lines):
            cv2.putText(
                image, line, (6, row * (i + 1)), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA
            )

    def close(self) -> None:
        if self._opened:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
            self._opened = False
