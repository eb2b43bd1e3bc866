"""Percentiles and summaries of the timing samples (milliseconds)."""
from __future__ import annotations

import math
from statistics import fmean


def percentile(samples: list[float], p: float) -> float:
    """p in [0, 100], linear interpolation between the closest ranks (numpy's default)."""
    if not samples:
        return math.nan
    s = sorted(samples)
    pos = (len(s) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summary(samples: list[float]) -> dict[str, float | int]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 3),
        "p95_ms": round(percentile(samples, 95), 3),
        "mean_ms": round(fmean(samples), 3) if samples else math.nan,
        "min_ms": round(min(samples), 3) if samples else math.nan,
        "max_ms": round(max(samples), 3) if samples else math.nan,
    }


def ratio(a: float, b: float) -> float | None:
    if not b or math.isnan(a) or math.isnan(b):
        return None
    return round(a / b, 3)
