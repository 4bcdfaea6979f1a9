"""Named errors of the offline module; the CLI prints each as one line (exit 2)."""

from __future__ import annotations

from ..errors import CerLiveError


class DatasetError(CerLiveError):
    """A dataset cannot be read: wrong layout, bad label line, no usable image."""


class TrainError(CerLiveError):
    """A training run cannot start or resume (bad config, existing run, missing weights)."""


class EvaluateError(CerLiveError):
    """Predictions or labels cannot be scored (bad CSV, mismatched frames)."""
