"""How long a video file says it is: an exact frame count where the container keeps one, else its duration.

MP4 and MOV index every sample, so their count is exact; MKV and WebM keep only a duration, and
duration x nominal rate overstates a variable-frame-rate file (13 frames over 2.6 s at a nominal
30 fps is not 79). A file that ends well short of what its container says was cut or damaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av


@dataclass(frozen=True)
class ContainerLength:
    frames: int | None = None  # exact, from the container's index
    seconds: float | None = None  # the video stream's (or the container's) duration

    def shortfall(self, decoded: int, span_s: float) -> str | None:
        """'N of M frames' or 'T s of its D s' when the decode ended clearly early; else None."""
        if self.frames:
            # Containers may round their frame count, hence the small slack before crying foul.
            if decoded < self.frames - max(5, self.frames // 50):
                return f"{decoded} of {self.frames} frames"
            return None
        # The duration runs to the end of the last frame's display; allow a second or 5 % for it.
        if self.seconds and span_s < self.seconds - max(1.0, 0.05 * self.seconds):
            return f"{span_s:.1f} s of its {self.seconds:.1f} s"
        return None


def container_length(path: Path) -> ContainerLength:
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if stream.duration and stream.time_base:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = container.duration / av.time_base if container.duration else None
            return ContainerLength(stream.frames or None, seconds)
    except (av.FFmpegError, IndexError, OSError, ValueError):
        return ContainerLength()  # OpenCV opened it; without the container's word there is no check
