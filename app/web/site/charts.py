"""The monthly chart, drawn as SVG on the server: bars of petitions received and answered
per month, and a line of the on-time rate on its own 0-100 % scale.

`monthly_chart` only computes the geometry; the template writes the SVG elements, their
titles (read by screen readers and shown on hover) and a table of the same figures. The
API lists only the months something happened in; the chart has every month of its span,
so a quiet month is an empty slot, not a gap closed up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 720
HEIGHT = 260
LEFT = 44
RIGHT = 44
TOP = 12
BOTTOM = 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class Month:
    month: str
    """"YYYY-MM", as the API writes it (the template writes it in the page's language)."""
    label_x: float
    received: Bar
    answered: Bar
    rate: float | None
    rate_point: tuple[float, float] | None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    months: list[Month]
    rate_path: str
    count_ticks: list[tuple[float, int]]
    rate_ticks: list[tuple[float, int]]
    baseline: float
    left: int
    right: int
    label_step: int
    """Label one month in this many on the axis, so that the labels do not overlap."""


def _nice_ceiling(value: int) -> int:
    """The least of 1, 2, 5 times a power of ten that is at least `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def every_month(rows: Sequence[dict[str, Any]], months: Sequence[str]) -> list[dict[str, Any]]:
    """`rows` with a row of zeros (and no rate) for each of `months` they lack."""
    found = {row["month"]: row for row in rows}
    empty = {"received": 0, "answered": 0, "onTimeRate": None}
    return [found.get(month, {"month": month, "stats": empty}) for month in months]


def monthly_chart(rows: Sequence[dict[str, Any]], months: Sequence[str]) -> Chart:
    """The chart of `rows`, each `{month, stats: {received, answered, onTimeRate}}`, over
    `months` ("YYYY-MM", in order)."""
    rows = every_month(rows, months)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    top = _nice_ceiling(max([int(row["stats"]["received"]) for row in rows] + [1]))
    slot = plot_width / max(1, len(rows))
    bar = max(1.0, slot * 0.38)
    drawn: list[Month] = []
    for index, row in enumerate(rows):
        stats = row["stats"]
        x = LEFT + index * slot + slot * 0.1
        received = int(stats["received"])
        answered = int(stats["answered"])
        rate = stats["onTimeRate"]
        point = None
        if rate is not None:
            middle = LEFT + index * slot + slot / 2
            point = (round(middle, 1), round(baseline - rate * plot_height, 1))
        drawn.append(
            Month(
                month=row["month"],
                label_x=round(LEFT + index * slot + slot / 2, 1),
                received=_bar(x, received, top, bar, baseline, plot_height),
                answered=_bar(x + bar, answered, top, bar, baseline, plot_height),
                rate=rate,
                rate_point=point,
            )
        )
    path = _line(drawn)
    count_ticks = [(round(baseline - plot_height * k / 4, 1), top * k // 4) for k in range(5)]
    rate_ticks = [(round(baseline - plot_height * k / 4, 1), 25 * k) for k in range(5)]
    return Chart(
        WIDTH,
        HEIGHT,
        drawn,
        path,
        count_ticks,
        rate_ticks,
        baseline,
        LEFT,
        RIGHT,
        label_every(len(drawn)),
    )


def _line(months: Sequence[Month]) -> str:
    """The on-time rate's path: a month without a rate breaks it (a new "M" after the
    gap), so no line is drawn through a month that answered nothing."""
    steps: list[str] = []
    joined = False
    for month in months:
        if month.rate_point is None:
            joined = False
            continue
        x, y = month.rate_point
        steps.append(f"{'L' if joined else 'M'}{x},{y}")
        joined = True
    return " ".join(steps)


def _bar(x: float, value: int, top: int, width: float, baseline: float, height: int) -> Bar:
    tall = height * value / top
    return Bar(round(x, 1), round(baseline - tall, 1), round(width, 1), round(tall, 1), value)


def label_every(months: int) -> int:
    """Label one month in this many, so labels do not overlap (6 at most: a month's
    name and year take some 70 of the chart's 632 units)."""
    return max(1, -(-months // 6))
