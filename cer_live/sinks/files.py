"""Append-only output files that always end on a whole record, and write failures in words.

A record (one frame's lines) goes to the kernel in one `os.write` loop, so a killed process
leaves whole records only. A failed write (a full disk, an I/O error) cuts the file back to
the end of the last whole record and raises a one-line `OutputError`.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import DiskFullError, OutputError

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def mount_point(path: Path) -> Path:
    """The mount point of the file system holding `path` (the folder that names the disk)."""
    path = path.resolve()
    try:
        device = path.stat().st_dev
    except OSError:
        return path
    while path.parent != path:
        try:
            if path.parent.stat().st_dev != device:
                break
        except OSError:
            break
        path = path.parent
    return path


def write_failure(path: Path, exc: OSError) -> OutputError:
    """The one-line error for a failed write of `path`: a full disk, or another I/O error."""
    folder = path.parent
    if exc.errno in _FULL:
        mount = mount_point(folder)
        disk = "" if mount == folder.resolve() else f"file system '{mount}', "
        return DiskFullError(
            f"no space left on the disk holding '{folder}' ({disk}writing {path.name}); free space or choose another --out"
        )
    reason = exc.strerror or type(exc).__name__
    return OutputError(f"cannot write '{path}' ({reason}); check the disk holding '{folder}' or choose another --out")


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_record(path: Path, append: bool) -> int:
    """Never through a symlink, and a new file is a new inode: a link planted at the name
    (the run planned to replace it, with --overwrite) is removed, not written through."""
    if append:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o666)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
    try:
        return os.open(path, flags, 0o666)
    except FileExistsError:
        os.unlink(path)
        return os.open(path, flags, 0o666)


class RecordFile:
    """A new file written in whole records; `offset` is always the end of the last whole one."""

    def __init__(self, path: Path, append: bool = False) -> None:
        """`append`: carry on after the whole records already there (a resumed source)."""
        self.path = path
        self.offset = 0
        self._new = not append
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # a source from a subfolder keeps its folder
            self._fd: int | None = _open_record(path, append)
            self.offset = os.fstat(self._fd).st_size if append else 0
        except OSError as exc:
            raise write_failure(path, exc) from exc

    def write(self, text: str) -> None:
        """Writes one record (any number of whole lines) or none of it."""
        if self._fd is None:
            raise OutputError(f"'{self.path}' is closed")
        data = memoryview(text.encode("utf-8"))
        done = 0
        try:
            while done < len(data):
                done += os.write(self._fd, data[done:])
        except OSError as exc:
            self._cut_back()
            if self._new and self.offset == 0:
                self._remove()  # an empty file (no header even) is not a table any reader takes
            raise write_failure(self.path, exc) from exc
        self.offset += done

    def _remove(self) -> None:
        self.close()
        try:
            self.path.unlink()
        except OSError:
            pass  # the original error is the one to report

    def _cut_back(self) -> None:
        """Drops a partial record; shrinking a file needs no free space."""
        try:
            os.ftruncate(self._fd, self.offset)
        except OSError:
            pass  # the original error is the one to report

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    @property
    def closed(self) -> bool:
        return self._fd is None
