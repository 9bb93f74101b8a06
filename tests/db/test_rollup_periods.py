"""Which statistics the rollup answers, and how a window splits into whole months and
edges (`db.queries.stats`), without a database."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.stats import local_window
from app.domain.timezone import VN_TZ
from db.queries.periods import as_periods, month_index, month_label, split_window
from db.queries.petitions import PetitionCriteria
from db.queries.stats import rollup_dimension
from db.rollup import deltas


def _local(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("start", "end", "months", "edges"),
    [
        (None, None, (None, None), []),
        (date(2026, 1, 1), date(2026, 3, 31), ("2026-01", "2026-04"), []),
        (
            date(2026, 1, 15),
            date(2026, 4, 10),
            ("2026-02", "2026-04"),
            [(date(2026, 1, 15), date(2026, 2, 1)), (date(2026, 4, 1), date(2026, 4, 11))],
        ),
        (date(2025, 12, 2), None, ("2026-01", None), [(date(2025, 12, 2), date(2026, 1, 1))]),
        (None, date(2026, 2, 27), (None, "2026-02"), [(date(2026, 2, 1), date(2026, 2, 28))]),
    ],
)
def test_split_window(
    start: date | None,
    end: date | None,
    months: tuple[str | None, str | None],
    edges: list[tuple[date, date]],
) -> None:
    split = split_window(*local_window(start, end))
    assert split is not None
    labels = tuple(
        None if m is None else month_label(m) for m in (split.first_month, split.end_month)
    )
    assert labels == months
    assert list(split.edges) == [(_local(a), _local(b)) for a, b in edges]


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 1, 2), date(2026, 1, 30)), (date(2026, 1, 15), date(2026, 2, 14))],
)
def test_a_window_without_a_whole_month_is_not_split(start: date, end: date) -> None:
    assert split_window(*local_window(start, end)) is None


days = st.dates(date(2024, 1, 1), date(2027, 12, 31))


@given(st.one_of(st.none(), days), st.one_of(st.none(), days))
def test_whole_months_and_edges_cover_the_window_once(a: date | None, b: date | None) -> None:
    if a is not None and b is not None and a > b:
        a, b = b, a
    split = split_window(*local_window(a, b))
    if split is None:
        return
    probe_from = a or date(2023, 12, 1)
    probe_to = b or date(2028, 1, 31)
    for offset in range((probe_to - probe_from).days + 1):
        day = probe_from + timedelta(days=offset)
        moment = _local(day)
        month = month_index(moment)
        in_months = (split.first_month is None or month >= split.first_month) and (
            split.end_month is None or month < split.end_month
        )
        in_edges = sum(low <= moment < high for low, high in split.edges)
        assert in_months + in_edges == 1, day


@pytest.mark.parametrize(
    ("flt", "by", "dimension"),
    [
        (PetitionCriteria(), "total", "all"),
        (PetitionCriteria(), "month", "all"),
        (PetitionCriteria(), "agency", "agency"),
        (PetitionCriteria(), "province", "province"),
        (PetitionCriteria(agency_ids=(1, 2)), "total", "agency"),
        (PetitionCriteria(agency_ids=(1,)), "agency", "agency"),
        (PetitionCriteria(agency_ids=(1,)), "month", "agency"),
        (PetitionCriteria(province_codes=("01",)), "field", None),
        (PetitionCriteria(agency_ids=(1,), field_ids=(2,)), "total", None),
        (PetitionCriteria(channel="CITIZEN"), "total", None),
        (PetitionCriteria(kind="REFLECTION"), "agency", None),
        (PetitionCriteria(statuses=("ASSIGNED",)), "total", None),
    ],
)
def test_which_breakdowns_the_rollup_answers(
    flt: PetitionCriteria, by: str, dimension: str | None
) -> None:
    assert rollup_dimension(flt, by) == dimension  # type: ignore[arg-type]


def test_deltas_drop_rows_that_do_not_change() -> None:
    row_a, row_b = ("agency", "2026-01", "1", -1), ("agency", "2026-01", "2", -1)
    counts = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert deltas({row_a: counts}, {row_a: counts}) == {}
    moved = deltas({row_a: counts}, {row_b: counts})
    assert moved == {row_a: [-n for n in counts], row_b: list(counts)}


def _month(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


@pytest.mark.parametrize(
    ("first", "end", "units", "before", "after"),
    [
        ("2026-07", "2026-10", {"Q": ["2026-Q3"]}, None, None),
        ("2025-01", "2026-01", {"Y": ["2025"]}, None, None),
        (
            "2024-11",
            "2026-03",
            {"Y": ["2025"], "Q": [], "M": ["2024-11", "2024-12", "2026-01", "2026-02"]},
            None,
            None,
        ),
        (None, "2026-05", {"Q": ["2026-Q1"], "M": ["2026-04"]}, 2026, None),
        (
            "2026-02",
            None,
            {"M": ["2026-02", "2026-03"], "Q": ["2026-Q2", "2026-Q3", "2026-Q4"]},
            None,
            2027,
        ),
        (None, None, {}, None, 0),
    ],
)
def test_whole_months_as_the_fewest_periods(
    first: str | None,
    end: str | None,
    units: dict[str, list[str]],
    before: int | None,
    after: int | None,
) -> None:
    periods = as_periods(
        None if first is None else _month(first), None if end is None else _month(end)
    )
    assert {g: names for g, names in periods.units.items() if names} == {
        g: names for g, names in units.items() if names
    }
    assert (periods.years_before, periods.years_from) == (before, after)


@given(st.integers(2000 * 12, 2030 * 12), st.integers(0, 80))
def test_periods_tile_the_months_exactly_once(first: int, length: int) -> None:
    periods = as_periods(first, first + length)
    covered: list[int] = []
    for name in periods.units["Y"]:
        covered += range(int(name) * 12, int(name) * 12 + 12)
    for name in periods.units["Q"]:
        year, quarter = name.split("-Q")
        covered += range(int(year) * 12 + 3 * (int(quarter) - 1), int(year) * 12 + 3 * int(quarter))
    covered += [_month(name) for name in periods.units["M"]]
    assert sorted(covered) == list(range(first, first + length))
