import numpy as np
import pytest

from cer_live.errors import CerLiveError
from cer_live.faces.smooth import Smoother, SmoothingConfig


def test_ema_by_hand():
    s = Smoother(SmoothingConfig.parse("ema:0.25"))
    assert s.update(1, np.array([1.0, 0.0])) == pytest.approx([1.0, 0.0])  # first value passes through
    assert s.update(1, np.array([0.0, 1.0])) == pytest.approx([0.75, 0.25])
    assert s.update(1, np.array([0.0, 1.0])) == pytest.approx([0.5625, 0.4375])
    assert s.update(2, np.array([0.0, 1.0])) == pytest.approx([0.0, 1.0])  # tracks are independent


def test_window_and_forget():
    s = Smoother(SmoothingConfig.parse("window:2"))
    s.update(1, np.array([1.0]))
    assert s.update(1, np.array([0.0])) == pytest.approx([0.5])
    assert s.update(1, np.array([0.0])) == pytest.approx([0.0])
    s.forget(1)
    assert s.update(1, np.array([1.0])) == pytest.approx([1.0])


def test_none_passes_through_and_bad_specs_are_refused():
    assert Smoother(SmoothingConfig.parse("none")).update(1, np.array([0.3])) == pytest.approx([0.3])
    for bad in ("ema:0", "ema:1.5", "window:0", "median", "none:3", "ema:x"):
        with pytest.raises(CerLiveError, match="bad --smooth"):
            SmoothingConfig.parse(bad)
