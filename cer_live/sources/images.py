"""A still image, or a folder of images, as a sequence of frames in name order."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from ..errors import SourceError
from ..messages import Frame

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
STILL_FPS = 5.0  # pace of the annotated video made from stills


def natural_key(path: Path) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def read_image(path: Path) -> np.ndarray:
    """BGR uint8; a clear error for unreadable or corrupt files."""
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise SourceError(f"cannot read '{path}' ({exc.strerror}); check permissions") from exc
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise SourceError(f"'{path}' is not a readable image (corrupt or unsupported); remove or replace it")
    return image


class ImageSequenceSource:
    live = False
    fps = STILL_FPS

    def __init__(self, paths: list[Path], name: str) -> None:
        if not paths:
            raise SourceError(f"no images for '{name}'")
        self.paths = sorted(paths, key=natural_key)
        self.name = name
        self.label = name
        self.files = tuple(self.paths)
        self.expected_frames = len(self.paths)
        self._warnings: list[str] = []
        read_image(self.paths[0])  # fail at start-up, not mid-run, when the first image is bad

    def frames(self) -> Iterator[Frame]:
        index = 0
        for path in self.paths:
            t0 = time.perf_counter()
            try:
                image = read_image(path)
            except SourceError as exc:
                self._warnings.append(f"skipped {exc}")
                continue
            yield Frame(
                frame_id=index,
                t_capture=time.monotonic(),
                pts=index / self.fps,
                image=image,
                name=f"{self.name}/{path.name}",
                decode_ms=(time.perf_counter() - t0) * 1000,
            )
            index += 1

    def warnings(self) -> list[str]:
        return list(self._warnings)

    def stop(self) -> None:
        pass  # the reader checks the pipeline's stop flag between frames

    def close(self) -> None:
        pass
