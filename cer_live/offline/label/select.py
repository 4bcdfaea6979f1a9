"""Which frames are labelled: every K-th frame, at most N per video, evenly or where the pack is least sure.

A chosen frame with no face borrows the face of the nearest scanned frame that has one,
within a bound (the paper's rule; ties go to the earlier frame, as in the runtime).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODES = ("even", "uncertain")


@dataclass(frozen=True)
class Candidate:
    frame: int
    has_face: bool
    uncertainty: float | None = None  # only with --select uncertain


@dataclass(frozen=True)
class Chosen:
    frame: int
    face_from: int | None  # the frame whose face is used (itself, or the nearest with a face); None: no face near


def uncertainty(fused: np.ndarray, members: np.ndarray) -> float:
    """In [0, 1]: half the fused distribution's normalised entropy, half the share of members that
    vote against the fused top class. High where a label teaches the pack most."""
    p = np.clip(np.asarray(fused, np.float64), 1e-12, 1.0)
    p = p / p.sum()
    entropy = float(-(p * np.log(p)).sum() / np.log(len(p)))
    votes = np.asarray(members).reshape(-1, len(p)).argmax(axis=1)
    disagreement = float((votes != int(p.argmax())).mean())
    return 0.5 * entropy + 0.5 * disagreement


def pick(candidates: list[Candidate], max_per_video: int | None, mode: str) -> list[int]:
    """Frame indices to label, in frame order."""
    if max_per_video is None or len(candidates) <= max_per_video:
        return [c.frame for c in candidates]
    if mode == "uncertain":
        # Frames with a face of their own first, most uncertain first; ties keep frame order.
        ranked = sorted(candidates, key=lambda c: (not c.has_face, -(c.uncertainty or 0.0), c.frame))
        return sorted(c.frame for c in ranked[:max_per_video])
    at = np.linspace(0, len(candidates) - 1, max_per_video).round().astype(int)
    return sorted({candidates[i].frame for i in at})


def borrow(chosen: list[int], candidates: list[Candidate], within: int) -> list[Chosen]:
    with_face = np.array(sorted(c.frame for c in candidates if c.has_face), dtype=np.int64)
    own = set(with_face.tolist())
    out = []
    for frame in chosen:
        if frame in own:
            out.append(Chosen(frame, frame))
            continue
        source = None
        if with_face.size and within > 0:
            i = int(np.searchsorted(with_face, frame))
            near = [(frame - int(with_face[i - 1]), int(with_face[i - 1]))] if i > 0 else []
            near += [(int(with_face[i]) - frame, int(with_face[i]))] if i < with_face.size else []
            best = min(near)  # ties: the smaller frame index, i.e. the past
            source = best[1] if best[0] <= within else None
        out.append(Chosen(frame, source))
    return out
