"""The live overlay window (OpenCV HighGUI), with a HUD (see `hud`) and keys.

Keys: q or Esc quits (a clean stop), r toggles raw and smoothed labels, p toggles showing
only the protagonist. Closing the window also stops the run. Shown from the pipeline's
calling thread, which is the main thread in the CLI, as HighGUI requires on some systems.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace

import cv2
import numpy as np

from ..errors import OutputError
from ..messages import FrameResult
from .base import Sink
from .draw import Overlay
from .hud import Hud, compose


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
        self.overlay = Overlay(watermark)
        self.hud = Hud()
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
        image = self.compose(replace(result, faces=faces))
        if not self._sized:
            # A resizable window starts at a toolkit default size; open it at the frame's size.
            cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
            self._sized = True
        cv2.imshow(self.title, image)
        self._keys(cv2.waitKey(1))
        now = time.monotonic()
        self.hud.record(now, (now - result.frame.t_capture) * 1000, result.stage_ms)

    def compose(self, result: FrameResult) -> np.ndarray:
        mode = ("RAW" if self.raw else "smoothed") + ("  protagonist" if self.protagonist_only else "")
        return compose(self.overlay, self.hud, result, mode)[0]

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

    def close(self) -> None:
        if self._opened:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
            self._opened = False
