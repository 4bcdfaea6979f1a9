import numpy as np
import pytest

from cer_live.models.fusion import fuse, majority_labels


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


def test_unanimity_keeps_the_class_whatever_the_rule():
    s = scores([0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.9, 0.05, 0.05])
    for rule in ("mean", "weighted_mean", "majority"):
        assert fuse(s, rule, np.array([1.0, 2.0, 3.0]))[0].argmax() == 0


def test_three_way_tie_goes_to_the_highest_mean_then_the_lowest_id():
    s = scores([0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6])
    # one vote each; means 0.267, 0.367, 0.367 -> classes 1 and 2 tie on the mean too: lower id
    assert majority_labels(s)[0] == 1


def test_an_abstaining_member_does_not_vote_or_dilute_the_mean():
    nan = float("nan")
    s = scores([nan, nan, nan], [0.2, 0.7, 0.1], [0.1, 0.6, 0.3])
    assert majority_labels(s)[0] == 1
    assert fuse(s, "mean")[0] == pytest.approx([0.15, 0.65, 0.2])
    # the abstainer's weight is dropped and the rest renormalised
    assert fuse(s, "weighted_mean", np.array([10.0, 1.0, 1.0]))[0] == pytest.approx([0.15, 0.65, 0.2])
    # two abstentions out of three: the one member left decides
    s2 = scores([nan] * 3, [0.2, 0.1, 0.7], [nan] * 3)
    assert majority_labels(s2)[0] == 2 and fuse(s2, "majority")[0].argmax() == 2


def test_a_face_every_member_abstains_on_stays_undecided():
    nan = float("nan")
    s = np.array([[[nan] * 3, [0.1, 0.8, 0.1]], [[nan] * 3, [0.2, 0.7, 0.1]]], np.float32)  # 2 members, 2 faces
    assert majority_labels(s).tolist() == [-1, 1]
    assert np.isnan(fuse(s, "majority")[0]).all() and fuse(s, "majority")[1].argmax() == 1
    assert np.isnan(fuse(s, "weighted_mean", np.array([1.0, 1.0]))[0]).all()


def test_majority_over_many_faces_at_once():
    rng = np.random.default_rng(0)
    s = rng.random((5, 40, 7)).astype(np.float32)
    labels = majority_labels(s)
    for n in range(40):
        votes = np.bincount(s[:, n].argmax(axis=1), minlength=7)
        best = np.flatnonzero(votes == votes.max())
        assert labels[n] in best
        assert labels[n] == best[np.argmax(s[:, n].mean(axis=0)[best])]
