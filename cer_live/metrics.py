"""Per-stage latency statistics: what the run summary and the benchmark report."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

# Stages in pipeline order; anything else a backend reports is listed after these.
STAGE_ORDER = ("decode", "detect", "align", "infer", "post", "display", "capture_to_display", "sinks", "end_to_end")


class StageStats:
    def __init__(self) -> None:
        self._samples: dict[str, list[float]] = defaultdict(list)

    def add(self, stage_ms: dict[str, float]) -> None:
        for stage, ms in stage_ms.items():
            self._samples[stage].append(ms)

    def summary(self) -> dict[str, dict[str, float]]:
        """stage -> {p50, p95, mean, n} in milliseconds."""
        stages = [s for s in STAGE_ORDER if s in self._samples]
        stages += sorted(s for s in self._samples if s not in STAGE_ORDER)
        out = {}
        for stage in stages:
            values = np.asarray(self._samples[stage], np.float64)
            out[stage] = {
                "p50": round(float(np.percentile(values, 50)), 3),
                "p95": round(float(np.percentile(values, 95)), 3),
                "mean": round(float(values.mean()), 3),
                "n": int(values.size),
            }
        return out
