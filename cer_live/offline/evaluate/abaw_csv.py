"""Scoring an ABAW-format prediction CSV against a label CSV in the same format."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import EvaluateError
from ..metrics import NUM_CLASSES, Scores

FIRST_COLUMN = "image_location"
UNLABELLED = -1  # a frame the labels leave out; not scored


@dataclass(frozen=True)
class CsvScores:
    scores: Scores
    labelled: int  # frames with a label 0..6
    predicted: int  # of those, frames the predictions cover
    extra: int  # predicted frames the labels do not have
    unlabelled: int  # label -1


def read_abaw(path: Path, what: str) -> dict[str, int]:
    """image_location -> id; -1 only allowed as 'unlabelled' in a label file."""
    if not path.is_file():
        raise EvaluateError(f"{what} file '{path}' does not exist")
    out: dict[str, int] = {}
    lines: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if not header or header[0].strip() != FIRST_COLUMN:
            raise EvaluateError(f"'{path}' is not an ABAW CSV: its header must start with {FIRST_COLUMN}")
        for row in rows:
            if not row or not "".join(row).strip():
                continue
            key = _key(row, path, rows.line_num)
            if key in lines:  # which row would count is a guess; the file is wrong
                raise EvaluateError(
                    f"{path}:{rows.line_num}: frame '{key[:80]}' is listed twice (first on line {lines[key]}); "
                    "keep one row per frame"
                )
            lines[key] = rows.line_num
            out[key] = _label(row, path, rows.line_num)
    return out


def _key(row: list[str], path: Path, line: int) -> str:
    if len(row) < 2:
        raise EvaluateError(f"{path}:{line}: expected 'VV/NNNNN.jpg,ID', got '{','.join(row)[:60]}'")
    return row[0].strip()


def _label(row: list[str], path: Path, line: int) -> int:
    try:
        value = int(row[1])
    except ValueError:
        value = -2
    if not UNLABELLED <= value < NUM_CLASSES:
        raise EvaluateError(f"{path}:{line}: '{row[1][:20]}' is not a class id 0..6 (or -1 for unlabelled)")
    return value


def score_csv(pred_path: Path, labels_path: Path) -> CsvScores:
    labels = read_abaw(labels_path, "labels")
    preds = read_abaw(pred_path, "predictions")
    scored = [k for k, v in labels.items() if v != UNLABELLED]
    if not scored:
        raise EvaluateError(f"'{labels_path}' has no labelled frame (all -1 or empty)")
    if not any(k in preds for k in scored):
        raise EvaluateError(
            f"no frame of '{pred_path}' is a labelled frame of '{labels_path}' (e.g. '{next(iter(preds), '')[:60]}' "
            f"vs '{scored[0][:60]}'); give predictions and labels of the same videos, named VIDEO/NNNNN.jpg"
        )
    y_true = np.array([labels[k] for k in scored])
    y_pred = np.array([preds.get(k, -1) for k in scored])  # a missing prediction is an error
    return CsvScores(
        scores=Scores.from_labels(y_true, y_pred),
        labelled=len(scored),
        predicted=int(sum(k in preds and preds[k] != UNLABELLED for k in scored)),
        extra=sum(k not in labels for k in preds),
        unlabelled=len(labels) - len(scored),
    )
