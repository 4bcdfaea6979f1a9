"""Per-stage latency statistics: what the run summary and the benchmark report."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

# Stages in pipeline order; anything else a backend reports is listed after these.
STAGE_ORDER = (
    "decode",
    "detect",
    "align",
    "infer",
    "post",
    "display",
    "capture_to_display",
    "capture_to_output",
    "sinks",
    "end_to_end",
)


RESERVOIR = 20_000  # samples kept per stage: fixed memory however long a live run lasts


class _Reservoir:
    """A uniform sample of an unbounded stream (Vitter's algorithm R), with exact mean and count."""

    def __init__(self, size: int, rng: np.random.Generator) -> None:
        self.values = np.empty(size, np.float64)
        self.n = 0
        self.total = 0.0
        self._rng = rng

    def add(self, value: float) -> None:
        size = self.values.size
        if self.n < size:
            self.values[self.n] = value
        else:
            slot = int(self._rng.integers(0, self.n + 1))
            if slot < size:
                self.values[slot] = value
        self.n += 1
        self.total += value

    def sample(self) -> np.ndarray:
        return self.values[: min(self.n, self.values.size)]


class StageStats:
    def __init__(self, reservoir: int = RESERVOIR) -> None:
        rng = np.random.default_rng(0)
        self._samples: dict[str, _Reservoir] = defaultdict(lambda: _Reservoir(reservoir, rng))

    def add(self, stage_ms: dict[str, float]) -> None:
        for stage, ms in stage_ms.items():
            self._samples[stage].add(ms)

    def summary(self) -> dict[str, dict[str, float]]:
        """stage -> {p50, p95, mean, n} in milliseconds."""
        stages = [s for s in STAGE_ORDER if s in self._samples]
        stages += sorted(s for s in self._samples if s not in STAGE_ORDER)
        out = {}
        for stage in stages:
            reservoir = self._samples[stage]
            values = reservoir.sample()
            out[stage] = {
                "p50": round(float(np.percentile(values, 50)), 3),
                "p95": round(float(np.percentile(values, 95)), 3),
                "mean": round(reservoir.total / reservoir.n, 3),
                "n": reservoir.n,
            }
        return out
