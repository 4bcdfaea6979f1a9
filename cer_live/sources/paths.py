"""What a path on disk holds: regular files only, media by suffix, subfolders in name order.

Only regular files are read: a FIFO or a device named `x.mp4` would block a reader or
stream bytes for ever, so it is refused (a source) or skipped with a word (in a folder).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import SourceError
from .images import IMAGE_SUFFIXES
from .video_file import VIDEO_SUFFIXES

MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES
_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(path: Path) -> str:
    mode = path.stat().st_mode
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def require_regular_file(path: Path) -> None:
    if not path.is_file():
        raise SourceError(
            f"'{path}' is not a regular file ({file_kind(path)}); give a video file, an image or a folder of them"
        )


def _visible(name: str) -> bool:
    return not name.startswith(".")


def media_in_folder(folder: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """Images, videos, and media-named entries that are not regular files, in name order."""
    entries = sorted(
        p for p in folder.iterdir() if _visible(p.name) and p.suffix.lower() in MEDIA_SUFFIXES and not p.is_dir()
    )
    regular = [p for p in entries if p.is_file()]
    images = [p for p in regular if p.suffix.lower() in IMAGE_SUFFIXES]
    videos = [p for p in regular if p.suffix.lower() in VIDEO_SUFFIXES]
    return images, videos, [p for p in entries if not p.is_file()]


def subfolders(root: Path) -> list[Path]:
    """Every visible folder below `root`, depth first in name order; links to folders are not followed."""
    found = []
    for folder, dirs, _ in os.walk(root):
        dirs[:] = sorted(d for d in dirs if _visible(d))
        if Path(folder) != root:
            found.append(Path(folder))
    return found


def media_in_subfolders(root: Path) -> int:
    """How many media files lie in the subfolders of `root` (what a non-recursive read skips)."""
    return sum(
        1
        for folder in subfolders(root)
        for p in folder.iterdir()
        if _visible(p.name) and p.suffix.lower() in MEDIA_SUFFIXES and p.is_file()
    )
