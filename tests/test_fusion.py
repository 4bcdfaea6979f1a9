import numpy as np
import pytest

from cer_live.fusion import fuse, majority_labels


def scores(*rows):
    return np.array(rows, np.float32)[:, None, :]  # (members, 1 face, classes)


def test_mean_and_weighted_mean():
    s = scores([0.6, 0.4, 0.0], [0.0, 0.4, 0.6])
    assert fuse(s, "mean")[0] == pytest.approx([0.3, 0.4, 0.3])
    # weights 3:1 -> 0.75 * first + 0.25 * second
    assert fuse(s, "weighted_mean", np.array([3.0, 1.0]))[0] == pytest.approx([0.45, 0.4, 0.15])


def test_majority_vote_beats_the_mean():
    # two members vote class 0 weakly, one votes class 2 strongly: mean prefers 2, the vote 0
    s = scores([0.4, 0.3, 0.3], [0.4, 0.3, 0.3], [0.0, 0.0, 1.0])
    assert fuse(s, "mean")[0].argmax() == 2
    assert majority_labels(s)[0] == 0
    assert fuse(s, "majority")[0].argmax() == 0


def test_majority_tie_goes_to_the_higher_mean():
    s = scores([0.9, 0.1, 0.0], [0.0, 0.6, 0.4])
    assert majority_labels(s)[0] == 0  # one vote each; mean 0.45 vs 0.35


def test_bad_rule_and_bad_weights():
    s = scores([1.0, 0.0])
    with pytest.raises(ValueError, match="unknown fusion rule"):
        fuse(s, "max")
    with pytest.raises(ValueError):
        fuse(s, "weighted_mean", np.array([0.0]))
