"""Latency samples to figures: percentiles, mean, throughput, and the spread over repeats."""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np


def median(values: list[float]) -> float:
    """The median; for an even count, the mean of the middle two (never an index lookup)."""
    return float(statistics.median(values))


def spread(values: list[float]) -> dict[str, Any]:
    """How far repeats disagree: their values, median, and (max - min) / median in percent."""
    mid = median(values)
    return {
        "values": [round(v, 4) for v in values],
        "median": round(mid, 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "spread_pct": round(100.0 * (max(values) - min(values)) / mid, 2) if mid > 0 else 0.0,
    }


def summarise(repeats: list[list[float]], unit: str = "frame") -> dict[str, Any]:
    """Per-item milliseconds from several repeats: pooled percentiles and the repeat spread."""
    pooled = np.concatenate([np.asarray(r, np.float64) for r in repeats if len(r)])
    p50, p95, p99 = np.percentile(pooled, [50, 95, 99])
    mean = float(pooled.mean())
    return {
        "unit": f"ms per {unit}",
        "n": int(pooled.size),
        "p50": round(float(p50), 4),
        "p95": round(float(p95), 4),
        "p99": round(float(p99), 4),
        "mean": round(mean, 4),
        "throughput_per_s": round(1000.0 / mean, 2) if mean > 0 else None,
        "repeat_p50": spread([float(np.median(r)) for r in repeats if len(r)]),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)
