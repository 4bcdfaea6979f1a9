"""Frozen messages passed between pipeline threads.

Each carries the frame id and the monotonic capture time end to end, so that latency is
measured per frame and per stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from .classes import COMPOUND_CLASSES


@dataclass(frozen=True)
class Frame:
    """One decoded frame, as the capture thread hands it on."""

    frame_id: int  # 0-based index in its source
    t_capture: float  # time.monotonic() right after decoding
    pts: float  # seconds into the source (media time), or wall time for live sources
    image: np.ndarray  # BGR uint8, H x W x 3
    name: str  # stem used in ABAW image locations, e.g. "WolfgangLanger_Pexels/00001.jpg"
    decode_ms: float = 0.0
    dropped: int = 0  # frames this source dropped before this one (live sources only)


@dataclass(frozen=True)
class Detection:
    """One face found by the detector, in frame pixel coordinates."""

    box: tuple[float, float, float, float]  # x1, y1, x2, y2
    score: float
    landmarks: tuple[tuple[float, float], ...]  # right eye, left eye, nose, right mouth, left mouth
    pose: tuple[float, float, float] | None = None  # yaw, pitch, roll in degrees, when the detector gives one

    @property
    def area(self) -> float:
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)

    def moved(self, dx: float, dy: float) -> Detection:
        """The same face shifted by (dx, dy) pixels: its box and landmarks (a crop's offset, a prediction)."""
        x1, y1, x2, y2 = self.box
        return replace(
            self,
            box=(x1 + dx, y1 + dy, x2 + dx, y2 + dy),
            landmarks=tuple((x + dx, y + dy) for x, y in self.landmarks),
        )


@dataclass(frozen=True)
class FaceScores:
    """What the pack's members say about one face, after fusion."""

    compound: np.ndarray  # (7,) ABAW order
    basic: np.ndarray | None  # (7,) basic-emotion probabilities, when the pack has them
    members: tuple[str, ...] = ()
    member_compound: np.ndarray | None = None  # (members, 7) each member's own compound probabilities
    extra: np.ndarray | None = None  # EXTRA_BASIC_CLASSES probabilities (contempt), when a member scores them
    va: np.ndarray | None = None  # (2,) valence, arousal clipped to [-1, 1], when a member regresses them

    @property
    def top(self) -> tuple[int, str, float]:
        """The leading compound: (ABAW id, name, probability)."""
        idx = int(np.argmax(self.compound))
        return idx, COMPOUND_CLASSES[idx], float(self.compound[idx])

    @property
    def runner_up(self) -> tuple[int, str, float]:
        """The second compound: (ABAW id, name, probability)."""
        idx = int(np.argsort(-self.compound, kind="stable")[1])
        return idx, COMPOUND_CLASSES[idx], float(self.compound[idx])

    @property
    def margin(self) -> float:
        """Top-1 minus top-2 compound probability: how clear the call is (0 = a tie)."""
        return self.top[2] - self.runner_up[2]


@dataclass(frozen=True)
class FaceResult:
    """One face row as the sinks see it."""

    track_id: int
    detection: Detection
    raw: FaceScores
    smoothed: FaceScores
    protagonist: bool
    fallback: bool = False
    fallback_from: int | None = None  # frame id the face was borrowed from
    fresh: bool = True  # the ensemble ran on this face in this frame (see the analysis schedule)
    pose_ok: bool = True  # False: turned further than --max-yaw; its label stays out of the smoothed track
    det: str = "full"  # full, region, scan_low, or predicted between detections (faces/detect_schedule.py)


@dataclass(frozen=True)
class FrameResult:
    """Everything known about one frame once it leaves the post-processing stage."""

    frame: Frame
    faces: tuple[FaceResult, ...]
    stage_ms: dict[str, float]

    @property
    def protagonist(self) -> FaceResult | None:
        for face in self.faces:
            if face.protagonist:
                return face
        return None


@dataclass(frozen=True)
class StatusEvent:
    """A change in a live source's connection, passed along with the frames, in order."""

    kind: str  # connected | lost | retrying | recovered | gave_up
    source: str  # redacted label
    t: float  # time.monotonic()
    wall: str  # ISO 8601 UTC, for people reading the log
    attempt: int = 0
    detail: str = ""


# What crosses a pipeline queue (capture -> analyser -> writer); every reader takes it with
# `match`, so a new kind of item is a type the readers must handle, not an object they guess at.


@dataclass(frozen=True)
class Results:
    """The frames a source's face state released for one input frame (the fallback may hold some)."""

    results: tuple[FrameResult, ...]


@dataclass(frozen=True)
class Failure:
    """An exception raised in a worker thread, carried to the thread that reports it."""

    error: BaseException


@dataclass(frozen=True)
class End:
    """The source is over: nothing follows on this queue."""


END = End()
QueueItem = Frame | StatusEvent | Results | Failure | End


# Stage timings (milliseconds) by fixed name: a result's `stage_ms` is put together with
# `timings`, which refuses a name it does not know and a name given twice, so that two stages
# can never report under one name and overwrite each other unseen.
STAGES = (
    "decode",
    "detect",
    "detect_full",
    "detect_region",
    "detect_scan_low",
    "detect_scan_area",
    "camera_motion",
    "align",
    "infer",
    "track",
    "post",
    "display",
    "capture_to_display",
    "capture_to_output",
    "sinks",
    "end_to_end",
)


class TimingError(ValueError):
    """Stage timings under an unknown name, or one name twice."""


def timings(*parts: Mapping[str, float]) -> dict[str, float]:
    """The stage timings of several stages as one mapping; each name known and given once."""
    out: dict[str, float] = {}
    for part in parts:
        for name, ms in part.items():
            if name not in STAGES:
                raise TimingError(f"unknown stage timing '{name}'; add it to messages.STAGES")
            if name in out:
                raise TimingError(f"stage timing '{name}' given twice")
            out[name] = ms
    return out
