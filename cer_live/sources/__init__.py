"""Frame sources: what a SOURCE argument means, and the sources it opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import SourceError
from .base import FrameSource
from .images import IMAGE_SUFFIXES, ImageSequenceSource
from .paths import media_in_folder, media_in_subfolders, require_regular_file, subfolders
from .stream import StreamOptions, StreamSource
from .urls import kind_of, redact
from .video_file import VideoFileSource


def open_sources(
    spec: str,
    warnings: list[str] | None = None,
    stream: StreamOptions | None = None,
    recursive: bool = False,
    images: str = "auto",
) -> list[FrameSource]:
    """Every source `spec` names, all opened at once (see `iter_sources`)."""
    opened: list[FrameSource] = []
    try:
        for source in iter_sources(spec, warnings, stream, recursive, images):
            opened.append(source)
    except BaseException:
        for source in opened:
            source.close()
        raise
    return opened


def iter_sources(
    spec: str,
    warnings: list[str] | None = None,
    stream: StreamOptions | None = None,
    recursive: bool = False,
    images: str = "auto",
) -> Iterator[FrameSource]:
    """The sources `spec` names, opened one at a time as they are asked for, so that a caller
    that closes each before taking the next never holds more than one.

    A webcam or stream URL gives one live source; a file gives one source; a folder gives
    its images as one sequence and each video alone (with `recursive`, the same for every
    subfolder, named by its path relative to the folder).

    Anything skipped is said in `warnings`: a video that cannot be opened (so that one bad
    file does not stop a batch), a media name that is not a regular file, media in
    subfolders when not `recursive`. A folder with nothing usable fails. `images` says how a
    folder's images are read: 'auto', 'sequence' or 'independent' (see `images.auto_mode`).
    """
    kind = kind_of(spec)
    if kind in ("webcam", "stream"):
        yield StreamSource(spec, stream)
        return
    if kind == "url":
        scheme = spec.split("://", 1)[0]
        raise SourceError(
            f"unsupported URL scheme '{scheme}' in '{redact(spec)}'; use rtsp://, http(s)://, a webcam index, a file or a folder"
        )
    path = Path(spec).expanduser()
    if not path.exists():
        raise SourceError(f"no such file or folder: '{spec}'; check the path")
    if path.is_dir():
        notes: list[str] = []
        yield from _folder_sources(path, notes, recursive, images)
        if warnings is not None:
            warnings.extend(notes)
        return
    require_regular_file(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        yield ImageSequenceSource([path], path.stem, images)
        return
    yield VideoFileSource(path)


def _folder_sources(root: Path, notes: list[str], recursive: bool, mode: str) -> Iterator[FrameSource]:
    found = 0
    problems: list[str] = []
    for folder in [root, *(subfolders(root) if recursive else [])]:
        images, videos, odd = media_in_folder(folder)
        rel = folder.relative_to(root).as_posix()
        problems.extend(f"'{p}' is not a regular file" for p in odd)
        if images:
            found += 1
            yield ImageSequenceSource(images, root.resolve().name if folder == root else rel, mode, from_folder=True)
        for video in videos:
            try:
                opened = VideoFileSource(video, video.relative_to(root).with_suffix("").as_posix())
            except SourceError as exc:
                problems.append(str(exc))
                continue
            found += 1
            yield opened
    hidden = 0 if recursive else media_in_subfolders(root)
    if hidden:
        notes.append(f"{hidden} media file(s) in subfolders of '{root}' were skipped; pass --recursive to read them")
    if not found:
        if problems:
            raise SourceError(f"folder '{root}' holds no usable video: {problems[0]}")
        if hidden:
            raise SourceError(
                f"folder '{root}' holds no images or videos itself, {hidden} in its subfolders; pass --recursive to read them"
            )
        raise SourceError(
            f"folder '{root}' holds no images or videos; point SOURCE at a video, an image or a folder of them"
        )
    notes.extend(f"skipped: {p}" for p in problems)


__all__ = ["FrameSource", "StreamOptions", "iter_sources", "open_sources"]
