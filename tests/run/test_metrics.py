import numpy as np
import pytest

from cer_live.run.metrics import StageStats


def test_percentiles_by_hand_and_stage_order():
    stats = StageStats()
    for v in range(1, 101):
        stats.add({"infer": float(v), "detect": 2.0})
    summary = stats.summary()
    assert list(summary) == ["detect", "infer"]
    assert summary["infer"]["p50"] == pytest.approx(50.5)
    assert summary["infer"]["p95"] == pytest.approx(95.05)
    assert summary["infer"]["mean"] == pytest.approx(50.5) and summary["infer"]["n"] == 100


def test_memory_is_bounded_and_the_sample_stays_representative():
    stats = StageStats(reservoir=1000)
    values = np.random.default_rng(1).exponential(10.0, 50_000)
    for v in values:
        stats.add({"x": float(v)})
    s = stats.summary()["x"]
    assert s["n"] == 50_000 and stats._samples["x"].values.size == 1000
    assert s["mean"] == pytest.approx(values.mean(), abs=1e-3)  # exact (rounded to 3 places), not sampled
    assert s["p50"] == pytest.approx(np.percentile(values, 50), rel=0.15)
    assert s["p95"] == pytest.approx(np.percentile(values, 95), rel=0.15)
