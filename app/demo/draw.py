"""Random choices, all from one stream so that a chunk's rows follow from its seed."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from random import Random
from typing import TypeVar

T = TypeVar("T")


def cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    """Running shares of `weights`, ending at 1: what `Draw.weighted_index` draws from."""
    total = sum(weights)
    shares: list[float] = []
    running = 0.0
    for weight in weights:
        running += weight
        shares.append(running / total)
    return tuple(shares)


class Draw:
    """Every random choice of one chunk. The order of the calls fixes the output, so code
    that draws must keep its order of evaluation."""

    __slots__ = ("random",)

    def __init__(self, seed: str) -> None:
        self.random: Callable[[], float] = Random(seed).random

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def between(self, low: int, high: int) -> int:
        """An integer from `low` to `high`, both included."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted_index(self, shares: Sequence[float]) -> int:
        """An index into the weights that `shares` (from `cumulative`) were made of."""
        return min(bisect_right(shares, self.random()), len(shares) - 1)

    def pick_weighted(self, pairs: Sequence[tuple[str, int]]) -> str:
        remaining = self.random() * sum(weight for _value, weight in pairs)
        for value, weight in pairs:
            remaining -= weight
            if remaining < 0:
                return value
        return pairs[-1][0]
