"""Every score of a face, valence-arousal included, smoothed per track like the compound scores."""

import numpy as np

from cer_live.faces.score_vector import join, split
from cer_live.faces.smooth import Smoother, SmoothingConfig
from cer_live.messages import FaceScores


def _scores(seed, extra=True, va=True):
    rng = np.random.default_rng(seed)
    return FaceScores(
        compound=rng.random(7).astype(np.float32),
        basic=rng.random(7).astype(np.float32),
        extra=rng.random(1).astype(np.float32) if extra else None,
        va=rng.uniform(-1, 1, 2).astype(np.float32) if va else None,
    )


def test_join_then_split_gives_the_scores_back():
    for extra, va in ((True, True), (False, True), (False, False)):
        scores = _scores(0, extra, va)
        back = split(scores, join(scores))
        for name in ("compound", "basic", "extra", "va"):
            a, b = getattr(scores, name), getattr(back, name)
            assert (a is None and b is None) or np.array_equal(a, b)


def test_a_pack_without_extras_smooths_the_same_vector_as_before():
    scores = FaceScores(np.arange(7, dtype=np.float32), np.ones(7, np.float32))
    assert np.array_equal(join(scores), np.concatenate([scores.compound, scores.basic]))


def test_valence_arousal_follow_the_track_ema():
    smoother = Smoother(SmoothingConfig("ema", alpha=0.25))
    first, second = _scores(1), _scores(2)
    split(first, smoother.update(7, join(first)))
    out = split(second, smoother.update(7, join(second)))
    assert np.allclose(out.va, 0.25 * second.va + 0.75 * first.va)
    assert np.allclose(out.extra, 0.25 * second.extra + 0.75 * first.extra)
    assert np.allclose(out.compound, 0.25 * second.compound + 0.75 * first.compound)
