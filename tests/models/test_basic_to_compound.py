"""A basic member's classes mapped to the seven, contempt kept, valence-arousal clipped, compounds by the mean rule."""

import numpy as np
import pytest

from cer_live.classes import BASIC_CLASSES, COMPOUND_CLASSES, COMPOUND_COMPONENTS, composition_matrix
from cer_live.errors import PackError
from cer_live.models.basic_to_compound import BasicHead, BasicOutput, read_basic_output
from cer_live.models.softmax import softmax

OWN = ["Anger", "Contempt", "Disgust", "Fear", "Happiness", "Neutral", "Sadness", "Surprise"]
MAP = dict(zip(OWN, ["angry", "contempt", "disgust", "fear", "happy", "neutral", "sad", "surprise"], strict=True))
OUTPUT = {"kind": "basic_probabilities", "activation": "softmax", "map": MAP, "valence_arousal": [8, 9]}


def test_logits_become_seven_basic_plus_contempt_and_clipped_valence_arousal():
    head = BasicHead(read_basic_output(OUTPUT, tuple(OWN), "m"))
    rng = np.random.default_rng(0)
    out = rng.normal(0, 2, (5, 10)).astype(np.float32)
    out[:, 8] = [3.0, -2.0, 0.3, 1.0, -1.0]
    basic, extra, va = head.split(out)
    probs = softmax(out[:, :8])
    for i, name in enumerate(BASIC_CLASSES):
        assert np.allclose(basic[:, i], probs[:, OWN.index(next(k for k, v in MAP.items() if v == name))])
    assert np.allclose(extra[:, 0], probs[:, 1])  # contempt kept, not dropped
    assert np.allclose(basic.sum(1) + extra[:, 0], 1.0, atol=1e-6)
    assert np.allclose(va[:, 0], [1.0, -1.0, 0.3, 1.0, -1.0]) and np.allclose(va[:, 1], np.clip(out[:, 9], -1, 1))
    compound = basic @ composition_matrix(BASIC_CLASSES).T
    for row, (a, b) in enumerate(COMPOUND_COMPONENTS):  # the mean rule
        ia, ib = BASIC_CLASSES.index(a), BASIC_CLASSES.index(b)
        assert np.allclose(compound[:, row], (basic[:, ia] + basic[:, ib]) / 2)
    assert len(COMPOUND_CLASSES) == compound.shape[1]


def test_a_seven_class_member_has_no_contempt_and_probabilities_pass_through():
    head = BasicHead(BasicOutput(BASIC_CLASSES))
    probs = softmax(np.random.default_rng(1).normal(size=(3, 7))).astype(np.float32)
    basic, extra, va = head.split(probs)
    assert np.array_equal(basic, probs) and extra is None and va is None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"map": {**MAP, "Anger": "rage"}}, "must be drawn from"),
        ({"map": {k: v for k, v in MAP.items() if k != "Fear"}}, "exactly once"),
        ({"map": {**MAP, "Disgust": "angry"}}, "each once"),
        ({"activation": "sigmoid"}, "activation 'sigmoid'"),
        ({"valence_arousal": [7, 8]}, "after the 8 class columns"),
        ({"valence_arousal": [8, 8]}, "two distinct"),
        ({"valence_arousal": [8]}, "two distinct"),
    ],
)
def test_bad_output_entries_are_named(change, problem):
    with pytest.raises(PackError, match=problem):
        read_basic_output({**OUTPUT, **change}, tuple(OWN), "member 'm'")
