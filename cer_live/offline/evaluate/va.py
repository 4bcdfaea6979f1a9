"""Valence-arousal of a run (its NAME.faces.csv) against labels: the concordance correlation
coefficient (CCC), the ABAW valence-arousal metric.

Labels are in the ABAW format: a first line `valence,arousal`, then one line per frame of the
video, in order (line k is frame k, counted from 0 as the run counts them); -5 marks a frame
without a label. The prediction for a frame is its protagonist's row (the largest face), as the
ABAW tracks score one face per frame. Frames with a label but no prediction (no face found) are
counted and left out of the CCC; ABAW itself asks for a prediction on every frame.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import EvaluateError

UNLABELLED = -5.0


@dataclass(frozen=True)
class VaScores:
    valence: float
    arousal: float
    labelled: int  # frames with both labels
    scored: int  # of those, frames the predictions cover
    unlabelled: int

    @property
    def mean(self) -> float:
        return (self.valence + self.arousal) / 2

    def as_dict(self) -> dict[str, float | int]:
        return {
            "ccc_valence": round(self.valence, 5),
            "ccc_arousal": round(self.arousal, 5),
            "ccc_mean": round(self.mean, 5),
            "labelled": self.labelled,
            "scored": self.scored,
            "missing": self.labelled - self.scored,
            "unlabelled": self.unlabelled,
        }


def ccc(pred: np.ndarray, true: np.ndarray) -> float:
    """2 cov / (var_p + var_t + (mean_p - mean_t)^2), population moments; 0 when both are constant and equal."""
    pred, true = np.asarray(pred, np.float64), np.asarray(true, np.float64)
    if len(pred) == 0:
        return 0.0
    pm, tm = pred.mean(), true.mean()
    cov = ((pred - pm) * (true - tm)).mean()
    denom = pred.var() + true.var() + (pm - tm) ** 2
    return float(2 * cov / denom) if denom > 0 else 0.0


def read_labels(path: Path) -> np.ndarray:
    """(frames, 2) valence, arousal; NaN where the file says -5."""
    if not path.is_file():
        raise EvaluateError(f"labels file '{path}' does not exist")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].replace(" ", "").lower() != "valence,arousal":
        raise EvaluateError(f"'{path}' is not an ABAW valence-arousal file: its first line must be 'valence,arousal'")
    out = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            v, a = (float(x) for x in line.split(","))
        except ValueError:
            raise EvaluateError(f"'{path}' line {number}: '{line}' is not two numbers 'valence,arousal'") from None
        out.append((np.nan, np.nan) if UNLABELLED in (v, a) else (v, a))
    return np.array(out, np.float64).reshape(-1, 2)


def read_predictions(path: Path) -> dict[int, tuple[float, float]]:
    """frame -> (valence, arousal) of its protagonist, from a run's faces table."""
    if not path.is_file():
        raise EvaluateError(f"predictions file '{path}' does not exist")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        if not {"frame", "protagonist", "valence", "arousal"} <= set(rows.fieldnames or ()):
            raise EvaluateError(
                f"'{path}' has no valence/arousal columns; give the NAME.faces.csv of a run with a valence-arousal pack"
            )
        out: dict[int, tuple[float, float]] = {}
        for row in rows:
            if row["protagonist"] == "True" and row["valence"] != "":
                out[int(row["frame"])] = (float(row["valence"]), float(row["arousal"]))
    return out


def score_va(predictions: Path, labels: Path) -> VaScores:
    truth = read_labels(labels)
    pred = read_predictions(predictions)
    labelled = np.flatnonzero(~np.isnan(truth).any(axis=1))
    covered = [int(f) for f in labelled if int(f) in pred]
    p = np.array([pred[f] for f in covered], np.float64).reshape(-1, 2)
    t = truth[covered]
    return VaScores(
        ccc(p[:, 0], t[:, 0]), ccc(p[:, 1], t[:, 1]), len(labelled), len(covered), len(truth) - len(labelled)
    )
