"""A video file decoded with OpenCV; every frame is kept, at its presentation time.

A frame's `pts` is the container's presentation timestamp (seconds from the stream's start),
so a variable-frame-rate video keeps its real timing; index / fps would drift from it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import cv2

from ..errors import SourceError
from ..messages import Frame
from .length import container_length
from .quiet import native_stderr_silenced

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".ts"}


class VideoFileSource:
    live = False
    independent = False

    def __init__(self, path: Path, name: str | None = None) -> None:
        self.path = path
        self.name = name or path.stem
        self.label = str(path)
        self.files = (path,)
        if not path.exists():
            raise SourceError(f"no such file: '{path}'; check the path")
        if path.is_dir():
            raise SourceError(f"'{path}' is a folder; a folder source must hold images or videos")
        if not path.is_file():  # a FIFO or a device would block the decoder or never end
            raise SourceError(f"'{path}' is not a regular file; give a video file")
        if path.stat().st_size == 0:
            raise SourceError(f"'{path}' is empty (0 bytes); give a video with at least one frame")
        # OpenCV's count is duration x rate where the container has no count (MKV, WebM): fine for a
        # progress bar, wrong for a variable-rate file, so the truncation check uses the container's own.
        # Read before OpenCV opens the file, so that a source never holds the file open twice.
        self._length = container_length(path)
        with native_stderr_silenced():
            cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
            ok = cap.isOpened()
            ok_read, first = cap.read() if ok else (False, None)
        if not ok:
            cap.release()
            raise SourceError(f"cannot decode '{path}': not a video, or a truncated/corrupt one; check the file")
        if not ok_read or first is None:
            cap.release()
            raise SourceError(f"'{path}' has no decodable frames (zero-length, truncated or corrupt); check the file")
        self._cap = cap
        self._first = first
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1 <= fps <= 240 else 25.0
        self._last_pts = -1.0
        self._first_pts = self._pts()
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.expected_frames = self._length.frames or (count if count > 0 else None)
        self._warnings: list[str] = []

    def _pts(self) -> float:
        """The frame just read's presentation time; one nominal frame on when the container has none."""
        pts = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000
        if not pts > self._last_pts:  # no timestamp (OpenCV says 0), or a broken one going back
            pts = 0.0 if self._last_pts < 0 else self._last_pts + 1 / self.fps
        self._last_pts = pts
        return pts

    def frames(self) -> Iterator[Frame]:
        index = 0
        image = self._first
        pts = self._first_pts
        self._first = None
        t_start = time.perf_counter()
        while image is not None:
            decode_ms = (time.perf_counter() - t_start) * 1000
            yield Frame(
                frame_id=index,
                t_capture=time.monotonic(),
                pts=pts,
                image=image,
                name=f"{self.name}/{index + 1:05d}.jpg",
                decode_ms=decode_ms,
            )
            index += 1
            t_start = time.perf_counter()
            ok, image = self._cap.read()
            if not ok:
                image = None
            else:
                pts = self._pts()
        short = self._length.shortfall(index, self._last_pts - self._first_pts)
        if short:
            raise SourceError(
                f"'{self.path.name}' ended after {short}: the file is truncated or corrupt; "
                "the outputs hold the frames before the damage"
            )

    def warnings(self) -> list[str]:
        return list(self._warnings)

    def stop(self) -> None:
        pass  # the reader checks the pipeline's stop flag between frames

    def close(self) -> None:
        self._cap.release()
