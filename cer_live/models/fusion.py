"""Fusion of per-member class scores into one score vector per face.

A member abstains on a face by giving a row of NaN (it did not run, or its output was not
finite); the others decide without it. A face on which every member abstains stays NaN.
"""

from __future__ import annotations

import warnings

import numpy as np

RULES = ("mean", "weighted_mean", "majority")


def fuse(scores: np.ndarray, rule: str, weights: np.ndarray | None = None) -> np.ndarray:
    """scores (M members, N faces, C classes) -> (N, C).

    - mean: mean over the members that did not abstain.
    - weighted_mean: weights (M,), renormalised over the members that did not abstain.
    - majority: each member votes its top class; the most voted class wins, ties broken by
      the mean score. The returned vector is the mean score with the winner made the
      unique argmax, so a downstream argmax always gives the voted label.
    """
    if scores.ndim != 3:
        raise ValueError(f"scores must be (members, faces, classes), got {scores.shape}")
    if rule == "mean":
        return _mean(scores)
    if rule == "weighted_mean":
        w = np.ones(scores.shape[0]) if weights is None else np.asarray(weights, np.float64)
        if w.shape != (scores.shape[0],) or (w < 0).any() or w.sum() <= 0:
            raise ValueError("weighted_mean needs one non-negative weight per member, not all zero")
        present = _present(scores)  # (M, N)
        wm = np.where(present, w[:, None], 0.0)
        total = wm.sum(axis=0)  # (N,)
        filled = np.nan_to_num(scores.astype(np.float64))
        out = np.einsum("mn,mnc->nc", wm, filled) / np.where(total > 0, total, 1.0)[:, None]
        out[total <= 0] = np.nan
        return out.astype(scores.dtype)
    if rule == "majority":
        mean = _mean(scores)
        winners = majority_labels(scores, mean)
        fused = mean.copy()
        rows = np.flatnonzero(winners >= 0)
        # Lift the winner just above the best score so that argmax agrees with the vote.
        top = np.nanmax(mean[rows], axis=1) if len(rows) else np.zeros(0)
        fused[rows, winners[rows]] = np.maximum(mean[rows, winners[rows]], top + 1e-6)
        return fused
    raise ValueError(f"unknown fusion rule '{rule}' ({', '.join(RULES)})")


def _present(scores: np.ndarray) -> np.ndarray:
    """(M, N): did member m give a usable score for face n?"""
    return np.isfinite(scores).all(axis=2)


def _mean(scores: np.ndarray) -> np.ndarray:
    masked = np.where(_present(scores)[:, :, None], scores, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-abstain faces: NaN by design
        return np.nanmean(masked, axis=0).astype(scores.dtype)


def majority_labels(scores: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """Per face, the most voted class; ties go to the higher mean score, then the lower id.

    -1 for a face on which every member abstained. `mean` is `_mean(scores)` when the caller has it.
    """
    members, faces, classes = scores.shape
    present = _present(scores)
    votes = np.where(present, np.nan_to_num(scores, nan=-np.inf).argmax(axis=2), -1)  # (M, N)
    counts = np.zeros((faces, classes), int)
    for m in range(members):
        voted = votes[m] >= 0
        counts[np.flatnonzero(voted), votes[m, voted]] += 1
    mean = np.nan_to_num(_mean(scores) if mean is None else mean, nan=-np.inf)
    top = (counts == counts.max(axis=1, keepdims=True)) & (counts > 0)
    winners = np.where(top, mean, -np.inf).argmax(axis=1)
    winners[~present.any(axis=0)] = -1
    return winners
