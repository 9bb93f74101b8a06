"""The arithmetic of statistics (`app.domain.stats`), without a database."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.stats import (
    MEDIAN,
    P90,
    Quarter,
    RankingMetric,
    StatsRow,
    WindowError,
    change,
    exemplary,
    local_window,
    mean_score,
    nearest_rank,
    rank,
    rows_by_key,
    top_by,
)
from app.domain.timezone import VN_TZ


def _by_sorting(values: list[int], p: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([], None, None),
        ([7], 7, 7),
        ([1, 2], 1, 2),
        ([1, 2, 3, 4], 2, 4),
        ([5, 1, 3], 3, 5),
        (list(range(1, 11)), 5, 9),
        (list(range(1, 21)), 10, 18),
        ([2, 2, 2, 9], 2, 9),
    ],
)
def test_nearest_rank_examples(values: list[int], median: int | None, p90: int | None) -> None:
    histogram = Counter(values)
    assert nearest_rank(histogram, MEDIAN) == median
    assert nearest_rank(histogram, P90) == p90


@given(st.lists(st.integers(min_value=0, max_value=80), max_size=60))
def test_nearest_rank_from_a_histogram_equals_sorting(values: list[int]) -> None:
    histogram = Counter(values)
    assert nearest_rank(histogram, MEDIAN) == _by_sorting(values, 0.5)
    assert nearest_rank(histogram, P90) == _by_sorting(values, 0.9)


def test_keys_without_a_petition_are_left_out() -> None:
    """A transfer leaves the old agency's rollup rows at zero: no breakdown lists it."""
    zeros = (None,) + (0,) * 14
    groups = [(6, "3:1", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), (13, *zeros), (13, *zeros)]
    assert list(rows_by_key(groups)) == [6]
    assert rows_by_key(groups)[6].urged == 1


def test_mean_score() -> None:
    assert mean_score((0, 0, 0, 0, 0)) is None
    assert mean_score((1, 0, 0, 0, 1)) == 3.0
    assert mean_score((0, 0, 1, 2, 0)) == pytest.approx(11 / 3)


def test_local_window_covers_whole_local_days() -> None:
    start, end = local_window(date(2026, 1, 1), date(2026, 3, 31))
    assert start == datetime(2026, 1, 1, tzinfo=VN_TZ)
    assert end == datetime(2026, 4, 1, tzinfo=VN_TZ)
    assert start.astimezone(UTC) == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert local_window(None, None) == (None, None)
    assert local_window(date(2026, 5, 5), date(2026, 5, 5))[1] == datetime(2026, 5, 6, tzinfo=VN_TZ)
    with pytest.raises(WindowError):
        local_window(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(WindowError):
        local_window(None, date(9999, 12, 31))


def test_quarters() -> None:
    q = Quarter.of(2026, 1)
    assert (q.first_day, q.last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert q.previous() == Quarter(2025, 4) and Quarter(2025, 4).next() == q
    assert q.label == "2026-Q1"
    assert q.end == datetime(2026, 4, 1, tzinfo=VN_TZ)
    running = datetime(2026, 2, 10, tzinfo=UTC)
    assert q.as_of(running) == running
    later = datetime(2026, 7, 1, tzinfo=UTC)
    assert q.as_of(later) == datetime(2026, 3, 31, 23, 59, 59, 999_999, tzinfo=VN_TZ)
    assert Quarter.containing(datetime(2026, 3, 31, 18, tzinfo=UTC)) == Quarter(2026, 2)
    for year, quarter in ((2026, 0), (2026, 5), (1999, 1), (2200, 1)):
        with pytest.raises(WindowError):
            Quarter.of(year, quarter)


def test_change_is_per_figure_and_null_where_either_side_is() -> None:
    now = StatsRow(received=10, answered=4, on_time_rate=0.5, median_response_working_days=7)
    before = StatsRow(received=6, answered=4, rating_counts=(1, 0, 0, 0, 2))
    diff = change(now, before)
    assert diff.received == 4 and diff.answered == 0
    assert diff.on_time_rate is None and diff.median_response_working_days is None
    assert diff.rating_counts == (-1, 0, 0, 0, -2)


def _row(received: int, **figures: object) -> StatsRow:
    return StatsRow(received=received, **figures)  # type: ignore[arg-type]


def test_ranking_order_ties_and_minimum() -> None:
    entries = [
        ("a", "B", _row(12, on_time_rate=0.9, overdue_open=3, median_response_working_days=9)),
        ("b", "A", _row(10, on_time_rate=0.9, overdue_open=1, median_response_working_days=9)),
        ("c", "C", _row(30, on_time_rate=0.95, overdue_open=1, median_response_working_days=4)),
        ("d", "D", _row(9, on_time_rate=1.0, overdue_open=0)),
        ("e", "E", _row(11)),  # nothing answered: no rate, no median
    ]
    ranking = rank(entries, RankingMetric.ON_TIME_RATE, minimum=10)
    assert [(r.rank, r.code) for r in ranking.ranked] == [(1, "C"), (2, "A"), (3, "B"), (None, "E")]
    assert [r.code for r in ranking.too_few] == ["D"]
    assert ranking.too_few[0].rank is None and ranking.too_few[0].value == 1.0
    median = rank(entries, RankingMetric.MEDIAN_RESPONSE, minimum=10)
    assert [r.code for r in median.ranked] == ["C", "A", "B", "E"]
    overdue = rank(entries, RankingMetric.OVERDUE_OPEN, minimum=10, first=2)
    assert [(r.code, r.value) for r in overdue.ranked] == [("E", 0.0), ("A", 1.0)]


def test_top_and_exemplary() -> None:
    assert top_by([("x", "B", 2), ("y", "A", 2), ("z", "C", 5), ("w", "D", 0)], 2) == [
        ("z", "C", 5),
        ("y", "A", 2),
    ]
    entries = [
        ("a", "A", _row(10, on_time_rate=0.8, average_rating=4.0)),
        ("b", "B", _row(10, on_time_rate=0.8, average_rating=4.5)),
        ("c", "C", _row(9, on_time_rate=1.0, average_rating=5.0)),
        ("d", "D", _row(20)),
    ]
    assert [code for _a, code, _r in exemplary(entries, minimum=10)] == ["B", "A"]
