"""Percentiles as the benchmarks report them: nearest rank, no interpolation, so that
each figure is one that was measured."""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (NaN for an empty one)."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: Iterable[float]) -> dict[str, float]:
    """Count, p50, p90, p99, max and min of durations in seconds, in milliseconds."""
    ordered = sorted(v * 1000 for v in seconds)
    return {
        "n": len(ordered),
        "p50": percentile(ordered, 50),
        "p90": percentile(ordered, 90),
        "p99": percentile(ordered, 99),
        "max": ordered[-1] if ordered else math.nan,
        "min": ordered[0] if ordered else math.nan,
    }
