"""The ABAW compound metric: macro F1 over the seven classes, an absent class counting 0.

numpy only, so that scoring needs no torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_CLASSES = 7


def confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: int = NUM_CLASSES) -> np.ndarray:
    """(classes, classes + 1) counts: rows true, columns predicted; the last column counts
    labelled items with no prediction (y_pred -1), which are errors for their class."""
    y_true = np.asarray(y_true, np.int64)
    y_pred = np.asarray(y_pred, np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{len(y_true)} labels but {len(y_pred)} predictions")
    pred = np.where(y_pred < 0, classes, y_pred)
    cm = np.zeros((classes, classes + 1), np.int64)
    np.add.at(cm, (y_true, pred), 1)
    return cm


@dataclass(frozen=True)
class Scores:
    macro_f1: float
    per_class_f1: tuple[float, ...]
    accuracy: float
    support: tuple[int, ...]  # labelled items per class
    missing: int  # labelled items with no prediction
    confusion: tuple[tuple[int, ...], ...]  # (classes, classes): rows true, columns predicted

    @classmethod
    def from_confusion(cls, cm: np.ndarray) -> Scores:
        cm = np.asarray(cm, np.int64)
        classes = cm.shape[0]
        if cm.shape == (classes, classes):
            cm = np.concatenate([cm, np.zeros((classes, 1), np.int64)], axis=1)
        tp = np.diag(cm[:, :classes]).astype(np.float64)
        fp = cm[:, :classes].sum(axis=0) - tp
        fn = cm.sum(axis=1) - tp  # includes the no-prediction column
        denom = 2 * tp + fp + fn
        f1 = np.divide(2 * tp, denom, out=np.zeros(classes), where=denom > 0)
        total = int(cm.sum())
        return cls(
            macro_f1=float(f1.mean()),
            per_class_f1=tuple(float(v) for v in f1),
            accuracy=float(tp.sum() / total) if total else 0.0,
            support=tuple(int(v) for v in cm.sum(axis=1)),
            missing=int(cm[:, classes].sum()),
            confusion=tuple(tuple(int(v) for v in row[:classes]) for row in cm),
        )

    @classmethod
    def from_labels(cls, y_true: np.ndarray, y_pred: np.ndarray, classes: int = NUM_CLASSES) -> Scores:
        return cls.from_confusion(confusion(y_true, y_pred, classes))

    def as_dict(self, class_names: tuple[str, ...] | None = None) -> dict:
        names = class_names or tuple(str(i) for i in range(len(self.per_class_f1)))
        return {
            "macro_f1": round(self.macro_f1, 6),
            "accuracy": round(self.accuracy, 6),
            "per_class_f1": {n: round(v, 6) for n, v in zip(names, self.per_class_f1, strict=False)},
            "support": dict(zip(names, self.support, strict=False)),
            "missing_predictions": self.missing,
            "confusion": [list(row) for row in self.confusion],
        }
