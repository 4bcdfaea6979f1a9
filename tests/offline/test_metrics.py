"""The ABAW metric equals sklearn's macro F1 over the seven labels, absent classes counting 0."""

import numpy as np
import pytest

from cer_live.offline.metrics import Scores, confusion

sklearn_metrics = pytest.importorskip("sklearn.metrics")


def _sklearn(y_true, y_pred):
    return sklearn_metrics.f1_score(y_true, y_pred, average="macro", labels=list(range(7)), zero_division=0)


@pytest.mark.parametrize("seed", range(20))
def test_macro_f1_matches_sklearn_on_random_sets(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    present = rng.choice(7, size=int(rng.integers(2, 7)), replace=False)  # some classes never occur
    y_true = rng.choice(present, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, 7, n))
    scores = Scores.from_labels(y_true, y_pred)
    assert scores.macro_f1 == pytest.approx(_sklearn(y_true, y_pred), abs=1e-12)
    per_class = sklearn_metrics.f1_score(y_true, y_pred, average=None, labels=list(range(7)), zero_division=0)
    np.testing.assert_allclose(scores.per_class_f1, per_class, atol=1e-12)
    assert scores.accuracy == pytest.approx(sklearn_metrics.accuracy_score(y_true, y_pred))


def test_a_class_that_never_occurs_counts_zero():
    y = np.array([0, 1, 2, 3, 4, 5] * 3)  # class 6 never occurs, in labels or predictions
    scores = Scores.from_labels(y, y)
    assert scores.per_class_f1[6] == 0.0
    assert scores.macro_f1 == pytest.approx(6 / 7) == pytest.approx(_sklearn(y, y))


def test_a_missing_prediction_is_an_error_for_its_class():
    y_true = np.array([0, 0, 1, 1])
    scores = Scores.from_labels(y_true, np.array([0, -1, 1, 1]))
    # class 0: tp 1, fn 1 -> F1 2/3; class 1: F1 1; five absent classes 0
    assert scores.per_class_f1[:2] == pytest.approx((2 / 3, 1.0))
    assert scores.missing == 1 and scores.accuracy == pytest.approx(0.75)
    assert confusion(y_true, np.array([0, -1, 1, 1])).shape == (7, 8)
