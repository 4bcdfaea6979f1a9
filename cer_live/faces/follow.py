"""Known faces followed between detections: where each one is now, and which are due again.

Re-detecting every known face on every frame makes the detector's cost grow with the faces
in view (eight 128-pixel regions are more than half a 640x360 frame's pixels). A followed
face keeps its last detection and a velocity (its centre's motion per frame, from its
detections); on a frame where it is not re-detected it is *predicted*: its last detection
(box and landmarks) moved at that velocity. A frame re-detects at most `budget` faces: the
faces waiting longest first, a fast-moving face sooner than a still one, a face its region
just lost before any other. With no more faces than the budget every face is re-detected on
every frame, exactly as without prediction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..messages import Detection

SMOOTHING = 0.5  # weight of the newest velocity measurement against the running estimate
MAX_SPEED = 0.5  # a velocity above this share of the face's size per frame is a mismatch, not motion
SPEED_WEIGHT = 4.0  # how much sooner a moving face is due: its wait counts (1 + this x speed/size) times


@dataclass(frozen=True)
class Followed:
    det: Detection  # its last detection, in frame pixels
    seen: int  # the frame index of that detection
    box: tuple[float, float, float, float]  # where it was on the last frame (detected or predicted)
    velocity: tuple[float, float] = (0.0, 0.0)  # centre motion, frame pixels per frame
    missed: int = 0  # frames its region has not found it since

    @classmethod
    def start(cls, det: Detection, at: int) -> Followed:
        return cls(det, at, det.box)

    def redetected(self, det: Detection, at: int) -> Followed:
        """The face found again at frame `at`: its velocity updated from the move since its last detection."""
        gap = max(1, at - self.seen)
        (ox, oy), (nx, ny) = _centre(self.det.box), _centre(det.box)
        vx, vy = (nx - ox) / gap, (ny - oy) / gap
        limit = MAX_SPEED * _size(det.box)
        if math.hypot(vx, vy) > limit:
            vx, vy = 0.0, 0.0
        sx, sy = self.velocity
        velocity = (SMOOTHING * vx + (1 - SMOOTHING) * sx, SMOOTHING * vy + (1 - SMOOTHING) * sy)
        return Followed(det, at, det.box, velocity)

    def lost(self) -> Followed:
        return replace(self, missed=self.missed + 1)

    def predicted(self, at: int) -> Detection:
        """Its last detection moved to where the velocity puts it at frame `at`."""
        steps = at - self.seen
        return self.det.moved(self.velocity[0] * steps, self.velocity[1] * steps)

    def moved_to(self, det: Detection) -> Followed:
        return replace(self, box=det.box)

    def urgency(self, at: int) -> float:
        """How badly it needs a fresh detection at frame `at` (larger: sooner)."""
        if self.missed:
            return math.inf
        speed = math.hypot(*self.velocity) / _size(self.box)
        return (at - self.seen) * (1.0 + SPEED_WEIGHT * speed)


def due(faces: list[Followed], at: int, budget: int) -> list[int]:
    """Indices of the faces to re-detect at frame `at`, in their list order (all when budget is 0)."""
    if budget <= 0 or len(faces) <= budget:
        return list(range(len(faces)))
    order = sorted(range(len(faces)), key=lambda i: -faces[i].urgency(at))
    return sorted(order[:budget])


def inside(det: Detection, height: int, width: int) -> bool:
    """Whether a predicted face's centre is still in the frame (one that left is no longer followed)."""
    cx, cy = _centre(det.box)
    return 0 <= cx < width and 0 <= cy < height


def _centre(box: tuple[float, ...]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _size(box: tuple[float, ...]) -> float:
    return max(box[2] - box[0], box[3] - box[1], 1.0)
