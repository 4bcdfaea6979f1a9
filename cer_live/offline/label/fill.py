"""The paper's post-processing: a frame without a label takes the nearest labelled frame's label.

Only within `within` frames of the same source; ties go to the earlier frame. Filled rows
are marked, so training can weigh or drop them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Row:
    crop: str  # relative to the output folder; empty when no face was near
    label: int | None
    source: str
    frame: int
    prompt: str
    model: str
    filled: bool = False


def fill(rows: list[Row], within: int) -> list[Row]:
    out: list[Row] = []
    for source in dict.fromkeys(r.source for r in rows):
        group = sorted((r for r in rows if r.source == source), key=lambda r: r.frame)
        labelled = [r for r in group if r.label is not None]
        frames = np.array([r.frame for r in labelled], dtype=np.int64)
        for row in group:
            if row.label is not None or not row.crop or within <= 0 or not labelled:
                out.append(row)
                continue
            i = int(np.searchsorted(frames, row.frame))
            near = [(row.frame - frames[i - 1], i - 1)] if i > 0 else []
            near += [(frames[i] - row.frame, i)] if i < len(frames) else []
            distance, j = min(near)
            out.append(replace(row, label=labelled[j].label, filled=True) if distance <= within else row)
    return out
