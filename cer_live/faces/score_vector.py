"""A face's scores as one flat vector and back, so that one smoother treats every score alike.

Compound, basic, extra basic (contempt) and valence-arousal are joined in that order; the parts a
pack does not give are left out, so a pack without them smooths exactly the numbers it did before.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..messages import FaceScores

_PARTS = ("compound", "basic", "extra", "va")


def join(scores: FaceScores) -> np.ndarray:
    parts = [getattr(scores, name) for name in _PARTS]
    present = [p for p in parts if p is not None]
    return present[0] if len(present) == 1 else np.concatenate(present)


def split(scores: FaceScores, vector: np.ndarray) -> FaceScores:
    """`scores` with each of its parts taken from `vector` (laid out as `join` lays it out)."""
    changes: dict[str, np.ndarray] = {}
    start = 0
    for name in _PARTS:
        part = getattr(scores, name)
        if part is not None:
            changes[name] = vector[start : start + len(part)]
            start += len(part)
    return replace(scores, **changes)
