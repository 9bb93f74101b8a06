"""Statistics windows as rollup periods: whole local months, written as few years, quarters
and months as possible, plus the partial months at the edges (read from the petitions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from app.domain.timezone import VN_TZ


@dataclass(frozen=True)
class Split:
    """A window cut into a run of whole local months and the partial months at its edges."""

    start: datetime | None
    """The first whole month's first instant; None when the window has no start."""
    end: datetime | None
    """The first instant after the last whole month; None when the window has no end."""
    edges: tuple[tuple[datetime, datetime], ...]

    @property
    def first_month(self) -> int | None:
        return None if self.start is None else month_index(self.start)

    @property
    def end_month(self) -> int | None:
        return None if self.end is None else month_index(self.end)


def month_index(moment: datetime) -> int:
    local = moment.astimezone(VN_TZ)
    return local.year * 12 + local.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_start(moment: datetime) -> datetime:
    local = moment.astimezone(VN_TZ)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _next_month(start: datetime) -> datetime:
    return _month_start(start + timedelta(days=32))


def split_window(start: datetime | None, end: datetime | None) -> Split | None:
    """The window [start, end) as whole months and edges; None if it holds no whole month."""
    edges = []
    first = None
    if start is not None:
        first = _month_start(start)
        if first < start:
            first = _next_month(first)
            edges.append((start, first))
    last = None
    if end is not None:
        last = _month_start(end)
        if last < end:
            edges.append((last, end))
    if first is not None and last is not None and first >= last:
        return None
    return Split(first, last, tuple(edges))


@dataclass(frozen=True)
class Periods:
    """Whole months [first, end) (month indexes, None for open) as rollup periods."""

    units: dict[str, list[str]]
    """Periods by grain ('Y', 'Q', 'M')."""
    years_before: int | None = None
    """Also every year before this one."""
    years_from: int | None = None
    """Also every year from this one on."""


def as_periods(first: int | None, end: int | None) -> Periods:
    """The fewest periods that tile the months [first, end): whole years, then quarters,
    then months."""
    units: dict[str, list[str]] = {"Y": [], "Q": [], "M": []}
    years_before = years_from = None
    if first is None and end is None:
        return Periods(units, years_from=0)
    if first is None:
        assert end is not None
        years_before = end // 12
        first = years_before * 12
    if end is None:
        end = -(-first // 12) * 12
        years_from = end // 12
    month = first
    while month < end:
        if month % 12 == 0 and month + 12 <= end:
            units["Y"].append(f"{month // 12:04d}")
            month += 12
        elif month % 3 == 0 and month + 3 <= end:
            units["Q"].append(f"{month // 12:04d}-Q{month % 12 // 3 + 1}")
            month += 3
        else:
            units["M"].append(month_label(month))
            month += 1
    return Periods(units, years_before, years_from)


def periods_clause(table: Any, split: Split, *, months_only: bool) -> ColumnElement[bool]:
    """Rows of `table` (a rollup) that make up the split's whole months, each month once.
    `months_only` reads month rows alone (for a breakdown by month)."""
    first, end = split.first_month, split.end_month
    if months_only:
        clauses = [table.c.grain == "M"]
        if first is not None:
            clauses.append(table.c.period >= month_label(first))
        if end is not None:
            clauses.append(table.c.period < month_label(end))
        return and_(*clauses)
    periods = as_periods(first, end)
    options: list[ColumnElement[bool]] = [
        and_(table.c.grain == grain, table.c.period.in_(names))
        for grain, names in periods.units.items()
        if names
    ]
    if periods.years_before is not None:
        options.append(and_(table.c.grain == "Y", table.c.period < f"{periods.years_before:04d}"))
    if periods.years_from is not None:
        options.append(and_(table.c.grain == "Y", table.c.period >= f"{periods.years_from:04d}"))
    return or_(false(), *options)
