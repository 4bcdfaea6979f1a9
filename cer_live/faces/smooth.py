"""Temporal smoothing of per-track class scores (EMA or moving window)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..errors import CerLiveError


@dataclass(frozen=True)
class SmoothingConfig:
    kind: str = "ema"  # ema | window | none
    alpha: float = 0.4  # EMA weight of the newest frame
    window: int = 5

    @staticmethod
    def parse(text: str) -> SmoothingConfig:
        """'ema', 'ema:0.3', 'window', 'window:8' or 'none'."""
        kind, _, arg = text.partition(":")
        try:
            if kind == "ema":
                alpha = float(arg) if arg else SmoothingConfig.alpha
                if not 0 < alpha <= 1:
                    raise ValueError
                return SmoothingConfig("ema", alpha=alpha)
            if kind == "window":
                n = int(arg) if arg else SmoothingConfig.window
                if n < 1:
                    raise ValueError
                return SmoothingConfig("window", window=n)
            if kind == "none" and not arg:
                return SmoothingConfig("none")
        except ValueError:
            pass
        raise CerLiveError(f"bad --smooth '{text}'; use ema[:alpha in (0,1]], window[:frames >= 1] or none")


class Smoother:
    """One state per track id; feed raw vectors in frame order, get smoothed ones back."""

    def __init__(self, config: SmoothingConfig) -> None:
        self.config = config
        self._ema: dict[int, np.ndarray] = {}
        self._windows: dict[int, deque[np.ndarray]] = {}

    def update(self, track_id: int, values: np.ndarray) -> np.ndarray:
        cfg = self.config
        if cfg.kind == "ema":
            prev = self._ema.get(track_id)
            new = values if prev is None else cfg.alpha * values + (1 - cfg.alpha) * prev
            self._ema[track_id] = new
            return new
        if cfg.kind == "window":
            window = self._windows.setdefault(track_id, deque(maxlen=cfg.window))
            window.append(values)
            return np.mean(window, axis=0)
        return values

    def current(self, track_id: int) -> np.ndarray | None:
        """The track's smoothed vector so far, without feeding it anything; None before its first."""
        if self.config.kind == "ema":
            return self._ema.get(track_id)
        window = self._windows.get(track_id)
        return np.mean(window, axis=0) if window else None

    def forget(self, track_id: int) -> None:
        self._ema.pop(track_id, None)
        self._windows.pop(track_id, None)
