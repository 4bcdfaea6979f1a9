"""The one interface every frame source implements."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ..messages import Frame, StatusEvent


class FrameSource(Protocol):
    """Opened (and validated) on construction; `frames()` yields decoded frames in order."""

    name: str  # stem for output files and ABAW image locations
    label: str  # what logs may show (credentials redacted)
    live: bool  # live sources drop stale frames; files never do
    files: tuple[Path, ...]  # the files it reads, so that no output may replace one (none when live)
    fps: float  # nominal frame rate, for the annotated video
    expected_frames: int | None  # what the container claims, when it says
    independent: bool  # frames are unrelated pictures: no tracks, smoothing or fallback across them

    def frames(self) -> Iterator[Frame | StatusEvent]: ...

    def stop(self) -> None:
        """Asks frames() to end soon; safe to call from another thread."""

    def warnings(self) -> list[str]: ...

    def close(self) -> None: ...
