"""The figures of one statistics query, whole and by breakdown: what `Query.stats` serves
and what /export/stats.csv writes, assembled in one place so the two never differ.

Each breakdown costs one statement. Callers may ask for several at once (GraphQL resolves
the selected ones concurrently); they share one session, so their statements run one at a
time. With `totals_from_months`, the totals are folded from the months' groups (every
petition has a month) instead of scanning again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import stats
from app.domain.reference import ProvinceRef, provinces
from app.domain.stats import StatsRow
from app.domain.vocabulary import IntakeChannel
from app.services.reports import AgencyRow
from db.models import Field
from db.queries import stats as queries
from db.queries.petitions import PetitionCriteria


def windowed(
    criteria: PetitionCriteria, start: datetime | None, end: datetime | None
) -> PetitionCriteria:
    """The criteria of a statistics query: petitions by their submission in the window, and
    no "now" of their own (the overdue figure takes the query's)."""
    return dataclasses.replace(criteria, submitted_from=start, submitted_to=end, now=None)


@dataclass(frozen=True)
class FieldRow:
    field: Field
    stats: StatsRow


@dataclass(frozen=True)
class ProvinceRow:
    province: ProvinceRef
    stats: StatsRow


@dataclass(frozen=True)
class IntakeRow:
    intake_channel: str
    stats: StatsRow


@dataclass(frozen=True)
class MonthRow:
    month: str
    stats: StatsRow


class Breakdowns:
    """Agencies and fields in order of their codes, provinces in the reference order,
    months (YYYY-MM, Asia/Ho_Chi_Minh) in order; keys without petitions are left out."""

    def __init__(
        self,
        session: AsyncSession,
        criteria: PetitionCriteria,
        now: datetime,
        *,
        totals_from_months: bool = False,
    ) -> None:
        self.session = session
        self.criteria = criteria
        self.now = now
        self.totals_from_months = totals_from_months
        self._lock = asyncio.Lock()
        self._groups: dict[str, list[queries.GroupCounts]] = {}

    async def _fetch(self, by: queries.Breakdown) -> list[queries.GroupCounts]:
        if by not in self._groups:
            self._groups[by] = await queries.group_counts(self.session, self.criteria, by, self.now)
        return self._groups[by]

    async def totals(self) -> StatsRow:
        async with self._lock:
            by: queries.Breakdown = "month" if self.totals_from_months else "total"
            return stats.total_row(await self._fetch(by))

    async def by_agency(self) -> list[AgencyRow]:
        async with self._lock:
            rows = stats.rows_by_key(await self._fetch("agency"))
            found = await queries.agencies_by_ids(self.session, list(rows))
        return sorted(
            (AgencyRow(found[i], row) for i, row in rows.items()), key=lambda r: r.agency.code
        )

    async def by_field(self) -> list[FieldRow]:
        async with self._lock:
            rows = stats.rows_by_key(await self._fetch("field"))
            found = await queries.fields_by_ids(self.session, list(rows))
        return sorted(
            (FieldRow(found[i], row) for i, row in rows.items()), key=lambda r: r.field.code
        )

    async def by_province(self) -> list[ProvinceRow]:
        async with self._lock:
            rows = stats.rows_by_key(await self._fetch("province"))
        return [ProvinceRow(p, rows[p.code]) for p in provinces() if p.code in rows]

    async def by_intake_channel(self) -> list[IntakeRow]:
        """Counted from the petitions, not the rollups (they keep no intake channel)."""
        async with self._lock:
            rows = stats.rows_by_key(await self._fetch("intake"))
        return [IntakeRow(c.value, rows[c.value]) for c in IntakeChannel if c.value in rows]

    async def by_month(self) -> list[MonthRow]:
        async with self._lock:
            rows = stats.rows_by_key(await self._fetch("month"))
        return [MonthRow(month, rows[month]) for month in sorted(rows)]
