"""Fusion of per-member class scores into one score vector per face."""

from __future__ import annotations

import numpy as np

RULES = ("mean", "weighted_mean", "majority")


def fuse(scores: np.ndarray, rule: str, weights: np.ndarray | None = None) -> np.ndarray:
    """scores (M members, N faces, C classes) -> (N, C).

    - mean: mean over members.
    - weighted_mean: weights (M,) normalised to sum 1.
    - majority: each member votes its top class; the most voted class wins, ties broken by
      the mean score. The returned vector is the mean score with the winner made the
      unique argmax, so a downstream argmax always gives the voted label.
    """
    if scores.ndim != 3:
        raise ValueError(f"scores must be (members, faces, classes), got {scores.shape}")
    if rule == "mean":
        return scores.mean(axis=0)
    if rule == "weighted_mean":
        w = np.ones(scores.shape[0]) if weights is None else np.asarray(weights, np.float64)
        if w.shape != (scores.shape[0],) or w.sum() <= 0:
            raise ValueError("weighted_mean needs one non-negative weight per member, not all zero")
        return np.tensordot(w / w.sum(), scores, axes=1).astype(scores.dtype)
    if rule == "majority":
        mean = scores.mean(axis=0)
        winners = majority_labels(scores)
        fused = mean.copy()
        rows = np.arange(mean.shape[0])
        # Lift the winner just above the best score so that argmax agrees with the vote.
        fused[rows, winners] = np.maximum(mean[rows, winners], mean.max(axis=1) + 1e-6)
        return fused
    raise ValueError(f"unknown fusion rule '{rule}' ({', '.join(RULES)})")


def majority_labels(scores: np.ndarray) -> np.ndarray:
    """Per face, the most voted class; ties go to the higher mean score, then the lower id."""
    votes = scores.argmax(axis=2)  # (M, N)
    classes = scores.shape[2]
    counts = np.stack([np.bincount(votes[:, n], minlength=classes) for n in range(votes.shape[1])]) if votes.size else np.zeros((0, classes), int)
    mean = scores.mean(axis=0)
    top = counts == counts.max(axis=1, keepdims=True)
    masked = np.where(top, mean, -np.inf)
    return masked.argmax(axis=1)
