"""A still image, or a folder of images, as frames in name order: one sequence, or independent photos.

A folder of numbered frames of one size (`00001.jpg` ...: a video cut into pictures, as in the
ABAW data) is a sequence: tracks and smoothing run across its frames, and it makes one video.
Anything else (a single image, a folder of holiday photos) is a set of independent images: each
is analysed on its own, with fresh face state, and gets its own annotated picture.
"""

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
IMAGE_MODES = ("auto", "sequence", "independent")
_SIZE_PROBES = 5  # images decoded to check that a numbered folder has one frame size


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


def _probes(paths: list[Path]) -> list[Path]:
    """A few images spread over the folder, first and last included."""
    n = len(paths)
    picks = sorted({round(i * (n - 1) / (_SIZE_PROBES - 1)) for i in range(_SIZE_PROBES)})
    return [paths[i] for i in picks]


def auto_mode(paths: list[Path], first: np.ndarray) -> tuple[str, str]:
    """'sequence' or 'independent' for images in name order, and why, in words."""
    if len(paths) < 2:
        return "independent", "a single image"
    if not all(p.stem.isdigit() for p in paths):
        return "independent", "names are not frame numbers"
    size = first.shape[:2]
    for path in _probes(paths)[1:]:
        try:
            other = read_image(path).shape[:2]
        except SourceError:
            continue  # skipped (with a warning) when the frames are read
        if other != size:
            return "independent", f"numbered, but '{path.name}' is {other[1]}x{other[0]}, not {size[1]}x{size[0]}"
    return "sequence", "numbered frames of one size"


class ImageSequenceSource:
    """`mode` 'auto' picks 'sequence' or 'independent' (see the module); `independent` says which."""

    live = False
    fps = STILL_FPS

    def __init__(self, paths: list[Path], name: str, mode: str = "auto", from_folder: bool = False) -> None:
        if not paths:
            raise SourceError(f"no images for '{name}'")
        if mode not in IMAGE_MODES:
            raise SourceError(f"bad --images '{mode}'; choose one of: {', '.join(IMAGE_MODES)}")
        self.paths = sorted(paths, key=natural_key)
        self.name = name
        self.label = name
        self.files = tuple(self.paths)
        self.from_folder = from_folder  # a folder's pictures go to OUT/NAME/, even when it holds one
        self.expected_frames = len(self.paths)
        self._warnings: list[str] = []
        first = read_image(self.paths[0])  # fail at start-up, not mid-run, when the first image is bad
        self.mode, self.why = auto_mode(self.paths, first) if mode == "auto" else (mode, "--images " + mode)
        self.independent = self.mode == "independent"

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
