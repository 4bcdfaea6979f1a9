"""Frame sources: what a SOURCE argument means, and the sources it opens."""

from __future__ import annotations

from pathlib import Path

from ..errors import SourceError
from .base import FrameSource
from .images import IMAGE_SUFFIXES, ImageSequenceSource
from .stream import StreamOptions, StreamSource
from .urls import kind_of, redact
from .video_file import VIDEO_SUFFIXES, VideoFileSource


def open_sources(spec: str, warnings: list[str] | None = None, stream: StreamOptions | None = None) -> list[FrameSource]:
    """A webcam or stream URL gives one live source; a file gives one source; a folder gives
    its images as one sequence and each video alone.

    In a folder, a video that cannot be opened is skipped with a warning (appended to
    `warnings`) so that one bad file does not stop a batch; a folder with nothing usable fails.
    """
    kind = kind_of(spec)
    if kind in ("webcam", "stream"):
        return [StreamSource(spec, stream)]
    if kind == "url":
        scheme = spec.split("://", 1)[0]
        raise SourceError(
            f"unsupported URL scheme '{scheme}' in '{redact(spec)}'; use rtsp://, http(s)://, a webcam index, a file or a folder"
        )
    path = Path(spec).expanduser()
    if not path.exists():
        raise SourceError(f"no such file or folder: '{spec}'; check the path")
    if path.is_file():
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return [ImageSequenceSource([path], path.stem)]
        return [VideoFileSource(path)]
    entries = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    images = [p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES]
    videos = [p for p in entries if p.suffix.lower() in VIDEO_SUFFIXES]
    if not images and not videos:
        raise SourceError(f"folder '{path}' holds no images or videos; point SOURCE at a video, an image or a folder of them")
    sources: list[FrameSource] = []
    if images:
        sources.append(ImageSequenceSource(images, path.name))
    problems: list[str] = []
    for video in videos:
        try:
            sources.append(VideoFileSource(video))
        except SourceError as exc:
            problems.append(str(exc))
    if not sources:
        raise SourceError(f"folder '{path}' holds no usable video: {problems[0]}")
    if warnings is not None:
        warnings.extend(f"skipped: {p}" for p in problems)
    return sources


__all__ = ["FrameSource", "StreamOptions", "open_sources"]
