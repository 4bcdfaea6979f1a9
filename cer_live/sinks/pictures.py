"""Annotated pictures: one per input image, at the image's own size and in its own format.

For a set of independent images (a folder of photos, or one photo) a video would stretch
every picture to the first one's size; a picture each keeps them as they are. Each is
written to a temporary name and renamed, so a reader never sees half a picture.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from ..atomic import write_bytes
from ..errors import OutputError
from ..messages import FrameResult
from .base import Sink
from .draw import draw
from .files import write_failure

JPEG_QUALITY = 92


class AnnotatedPicturesSink(Sink):
    """`paths` maps each frame's name (`NAME/file.jpg`) to where its annotated picture goes."""

    name = "pictures"

    def __init__(self, paths: dict[str, Path], watermark: str) -> None:
        self.paths = dict(paths)
        self.watermark = watermark
        self.written = 0
        first = next(iter(self.paths.values()))
        # The summary names the folder of pictures, or the one picture.
        self.path = first if len(self.paths) == 1 else first.parent

    def write(self, result: FrameResult) -> None:
        path = self.paths.get(result.frame.name)
        if path is None:
            raise OutputError(f"no annotated picture planned for '{result.frame.name}'")
        ok, data = cv2.imencode(path.suffix, draw(result, self.watermark), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise OutputError(f"cannot encode '{path.name}' as {path.suffix}; name the input .jpg or .png")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, data.tobytes())
        except OSError as exc:
            raise write_failure(path, exc) from exc
        self.written += 1
