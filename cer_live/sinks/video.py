"""The annotated video: one output frame per input frame, at the source frame rate."""

from __future__ import annotations

from pathlib import Path

import cv2

from ..errors import OutputError
from ..messages import FrameResult
from .draw import draw


class AnnotatedVideoSink:
    name = "video"

    def __init__(self, path: Path, fps: float, watermark: str) -> None:
        self.path = path
        self.fps = fps
        self.watermark = watermark
        self.frames = 0
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None

    def _open(self, width: int, height: int) -> cv2.VideoWriter:
        # mp4v is in every opencv-python wheel; H.264 encoders are not.
        writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (width, height))
        if not writer.isOpened():
            raise OutputError(f"cannot write video '{self.path}'; check the folder is writable or use --no-video")
        self._size = (width, height)
        return writer

    def write(self, result: FrameResult) -> None:
        image = draw(result, self.watermark)
        h, w = image.shape[:2]
        if self._writer is None:
            self._writer = self._open(w, h)
        elif (w, h) != self._size:
            # A folder of stills may mix sizes; the video keeps the first frame's size.
            image = cv2.resize(image, self._size, interpolation=cv2.INTER_AREA)
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
