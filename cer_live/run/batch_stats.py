"""How large the detector's and the members' batches were: the evidence that batching works."""

from __future__ import annotations

from collections import Counter
from typing import Any


class BatchStats:
    """Counts of batch sizes for the detector (frames per call) and the members (faces per call).

    Kept per source (the batches its frames rode in) and for the whole run (every call once).
    """

    def __init__(self) -> None:
        self.detector: Counter[int] = Counter()
        self.members: Counter[int] = Counter()

    def add(self, frames: int, faces: int) -> None:
        self.detector[frames] += 1
        if faces:
            self.members[faces] += 1

    def summary(self) -> dict[str, Any]:
        return {"detector": _describe(self.detector), "members": _describe(self.members)}


def _describe(sizes: Counter[int]) -> dict[str, Any]:
    calls = sum(sizes.values())
    items = sum(size * n for size, n in sizes.items())
    return {
        "calls": calls,
        "mean": round(items / calls, 3) if calls else 0.0,
        "max": max(sizes, default=0),
        "sizes": {str(size): sizes[size] for size in sorted(sizes)},
    }
