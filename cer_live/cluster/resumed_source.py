"""A source as a restarted worker reads it: a file skips what is written, a stream counts on.

A file is decoded again from its start (decoding runs far faster than analysis) and the frames
before the resume point are passed over unanalysed. A live source cannot go back: its frames
are numbered on from the resume point, and the frames the camera sent while no worker read it
are estimated from the time since the last write and counted as lost.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

from ..messages import Frame, StatusEvent
from ..sources.base import FrameSource
from .resume import ResumePoint


class ResumedSource:
    def __init__(self, source: FrameSource, point: ResumePoint) -> None:
        self.source = source
        self.point = point
        for attr in ("name", "label", "live", "files", "fps", "expected_frames", "independent"):
            setattr(self, attr, getattr(source, attr))

    def frames(self) -> Iterator[Frame | StatusEvent]:
        if self.live:
            yield from self._renumbered()
            return
        for item in self.source.frames():
            if isinstance(item, Frame) and item.frame_id < self.point.frame:
                continue
            yield item

    def _renumbered(self) -> Iterator[Frame | StatusEvent]:
        index = self.point.frame
        for item in self.source.frames():
            if isinstance(item, Frame):
                item = replace(item, frame_id=index, name=f"{self.name}/{index + 1:05d}.jpg")
                index += 1
            yield item

    def lost(self) -> int:
        """Frames a live source sent while no worker read it (none for a file)."""
        return max(0, round((time.time() - self.point.last_write) * self.fps) - 1) if self.live else 0

    def stop(self) -> None:
        self.source.stop()

    def warnings(self) -> list[str]:
        return self.source.warnings()

    def close(self) -> None:
        self.source.close()
