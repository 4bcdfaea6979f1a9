import numpy as np
import pytest

from cer_live.classes import (
    BASIC_CLASSES,
    COMPOUND_CLASSES,
    compose,
    composition_matrix,
)


def test_each_compound_is_the_mean_of_its_two_components():
    # angry disgust fear happy sad surprise neutral
    basic = np.array([[0.10, 0.00, 0.20, 0.30, 0.05, 0.30, 0.05]], np.float32)
    got = dict(zip(COMPOUND_CLASSES, compose(basic, BASIC_CLASSES)[0], strict=False))
    expected = {
        "Fearfully Surprised": (0.20 + 0.30) / 2,  # 0.25
        "Happily Surprised": (0.30 + 0.30) / 2,  # 0.30
        "Sadly Surprised": (0.05 + 0.30) / 2,  # 0.175
        "Disgustedly Surprised": (0.00 + 0.30) / 2,  # 0.15
        "Angrily Surprised": (0.10 + 0.30) / 2,  # 0.20
        "Sadly Fearful": (0.05 + 0.20) / 2,  # 0.125
        "Sadly Angry": (0.05 + 0.10) / 2,  # 0.075
    }
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-6), name


def test_class_order_of_the_input_does_not_matter():
    order = ("neutral", "surprise", "sad", "happy", "fear", "disgust", "angry")
    basic = np.array([[0.05, 0.30, 0.05, 0.30, 0.20, 0.00, 0.10]], np.float32)  # same values as above, reordered
    assert compose(basic, order)[0, 1] == pytest.approx(0.30)
    assert compose(basic, order)[0, 6] == pytest.approx(0.075)


def test_rows_hold_two_halves_and_a_missing_component_is_refused():
    m = composition_matrix(BASIC_CLASSES)
    assert m.shape == (7, 7)
    assert np.allclose(m.sum(axis=1), 1.0)
    assert m[:, BASIC_CLASSES.index("neutral")].sum() == 0
    with pytest.raises(ValueError, match="surprise"):
        composition_matrix(["angry", "disgust", "fear", "happy", "sad", "neutral"])
