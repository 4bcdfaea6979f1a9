"""The faces table: one row per face per frame, named columns, for pandas, R or a spreadsheet.

The ABAW CSV keeps the challenge's fixed format; this table holds what a user wants to load:
where each face is, its label and how clear the call is (`margin`), and every probability.
Plain comma-separated values, one header line, no comment lines, `True`/`False` booleans,
so that `pandas.read_csv` needs no options. Frames with no face have no row (the JSONL has
one `empty` line for each). Rows reach the disk a frame at a time, whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..classes import AFFECT_DIMENSIONS, BASIC_CLASSES, COMPOUND_CLASSES, EXTRA_BASIC_CLASSES
from ..messages import FaceResult, FrameResult
from .base import Sink
from .files import RecordFile

COLUMNS = (
    "frame", "time", "image", "track", "protagonist", "x1", "y1", "x2", "y2",
    "label", "label_id", "prob", "margin", "fresh", "fallback",
)  # fmt: skip
COMPOUND_COLUMNS = tuple(name.replace(" ", "_") for name in COMPOUND_CLASSES)


@dataclass(frozen=True)
class ScoreColumns:
    """Which optional score columns a pack's faces have."""

    basic: bool = True
    extra: bool = False  # contempt
    va: bool = False  # valence, arousal

    @classmethod
    def of(cls, members: Iterable[Any]) -> ScoreColumns:
        """From a pack's MemberSpecs."""
        heads = [m.basic_output for m in members if m.output_kind == "basic_probabilities"]
        given = [h for h in heads if h is not None]
        return cls(
            basic=bool(heads),
            extra=any(set(h.classes) & set(EXTRA_BASIC_CLASSES) for h in given),
            va=any(h.va is not None for h in given),
        )


def columns(basic: bool, extra: bool = False, va: bool = False) -> tuple[str, ...]:
    """`extra`: contempt after the basic columns; `va`: valence and arousal last."""
    return (
        COLUMNS
        + COMPOUND_COLUMNS
        + (BASIC_CLASSES if basic else ())
        + (EXTRA_BASIC_CLASSES if extra else ())
        + (AFFECT_DIMENSIONS if va else ())
    )


def _probs(values: np.ndarray | None, n: int) -> list[str]:
    return [""] * n if values is None else [f"{float(v):.5f}" for v in values]


def face_row(result: FrameResult, face: FaceResult, basic: bool, extra: bool = False, va: bool = False) -> list[object]:
    label_id, label, prob = face.smoothed.top
    row: list[object] = [
        result.frame.frame_id, f"{result.frame.pts:.4f}", result.frame.name, face.track_id, face.protagonist,
        *(f"{v:.1f}" for v in face.detection.box),
        label, label_id, f"{prob:.5f}", f"{face.smoothed.margin:.5f}", face.fresh, face.fallback,
        *_probs(face.smoothed.compound, len(COMPOUND_CLASSES)),
    ]  # fmt: skip
    if basic:
        row += _probs(face.smoothed.basic, len(BASIC_CLASSES))
    if extra:
        row += _probs(face.smoothed.extra, len(EXTRA_BASIC_CLASSES))
    if va:
        row += _probs(face.smoothed.va, len(AFFECT_DIMENSIONS))
    return row


class FacesCsvSink(Sink):
    """`basic`: the pack gives basic-emotion probabilities, so the table has a column for each;
    `extra`: it scores contempt too; `va`: it gives valence and arousal."""

    name = "faces_csv"

    def __init__(self, path: Path, basic: bool, resume: bool = False, extra: bool = False, va: bool = False) -> None:
        self.path = path
        self.basic = basic
        self.extra = extra
        self.va = va
        self._file = RecordFile(path, append=resume)
        try:
            if not resume:
                self._file.write(self._lines([list(columns(basic, extra, va))]))
        except Exception:
            self._file.close()
            raise

    def write(self, result: FrameResult) -> None:
        if result.faces:
            self._file.write(
                self._lines([face_row(result, face, self.basic, self.extra, self.va) for face in result.faces])
            )

    @staticmethod
    def _lines(rows: list[list[object]]) -> str:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        return text.getvalue()

    def close(self) -> None:
        self._file.close()
