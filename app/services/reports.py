"""Statistics and the quarterly report, assembled from `db.queries.stats` and `app.domain.stats`.

The GraphQL resolvers and the printable page (`app.web.report_page`) both read the quarterly
report from `quarterly_report`, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import stats
from app.domain.stats import Quarter, StatsChange, StatsRow
from app.domain.vocabulary import Action
from db.models import Agency, Petition
from db.queries import stats as queries
from db.queries.petitions import PetitionCriteria
from db.queries.stats import Breakdown

TOP = 5
FEATURED_LIMIT = 100


async def breakdown(
    session: AsyncSession, flt: PetitionCriteria, by: Breakdown, now: datetime
) -> dict[Any, StatsRow]:
    """One row per key of `by` (petitions without one, e.g. no agency yet, are left out)."""
    return stats.rows_by_key(await queries.group_counts(session, flt, by, now))


async def totals(session: AsyncSession, flt: PetitionCriteria, now: datetime) -> StatsRow:
    return stats.total_row(await queries.group_counts(session, flt, "total", now))


def quarter_criteria(quarter: Quarter) -> PetitionCriteria:
    return PetitionCriteria(submitted_from=quarter.start, submitted_to=quarter.end)


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    stats: StatsRow


@dataclass(frozen=True)
class AgencyCount:
    agency: Agency
    count: int


@dataclass(frozen=True)
class QuarterlyReport:
    quarter: Quarter
    as_of: datetime
    """The "now" of the report: the quarter's last instant, or the present if it runs."""
    minimum_petitions: int
    totals: StatsRow
    previous_totals: StatsRow
    change: StatsChange
    agencies: list[AgencyRow]
    """Every agency with a petition received in the quarter, by code."""
    most_overdue: list[AgencyCount]
    most_transfer_requests: list[AgencyCount]
    most_escalations: list[AgencyCount]
    most_urged: list[AgencyCount]
    """By `urged`: the quarter's petitions the agency handles that were urged at least once
    (counts, like the other delaying lists; the share is the MOST_URGED ranking's)."""
    exemplary: list[AgencyRow]
    featured: list[Petition]

    @property
    def first_day(self) -> date:
        return self.quarter.first_day

    @property
    def last_day(self) -> date:
        return self.quarter.last_day


async def quarterly_report(
    session: AsyncSession, quarter: Quarter, now: datetime, minimum: int
) -> QuarterlyReport:
    """The report to the Prime Minister: six statements whatever the number of agencies."""
    as_of = quarter.as_of(now)
    previous = quarter.previous()
    flt = quarter_criteria(quarter)
    current_totals = await totals(session, flt, as_of)
    previous_totals = await totals(session, quarter_criteria(previous), previous.as_of(now))
    by_agency = await breakdown(session, flt, "agency", as_of)
    transfers = await queries.event_counts_by_agency(
        session, Action.REQUEST_TRANSFER, quarter.start, quarter.end
    )
    agencies = {a.id: a for a in await queries.all_agencies(session)}
    featured = await queries.featured_between(session, quarter.start, quarter.end, FEATURED_LIMIT)

    rows = sorted(
        (AgencyRow(agencies[i], row) for i, row in by_agency.items()),
        key=lambda r: r.agency.code,
    )

    def top(counts: dict[int, int]) -> list[AgencyCount]:
        entries = [(agencies[i], agencies[i].code, n) for i, n in counts.items()]
        return [AgencyCount(agency, n) for agency, _code, n in stats.top_by(entries, TOP)]

    best = stats.exemplary(((r.agency, r.agency.code, r.stats) for r in rows), minimum, TOP)
    return QuarterlyReport(
        quarter=quarter,
        as_of=as_of,
        minimum_petitions=minimum,
        totals=current_totals,
        previous_totals=previous_totals,
        change=stats.change(current_totals, previous_totals),
        agencies=rows,
        most_overdue=top({r.agency.id: r.stats.overdue_open for r in rows}),
        most_transfer_requests=top(transfers),
        most_escalations=top({r.agency.id: r.stats.escalated for r in rows}),
        most_urged=top({r.agency.id: r.stats.urged for r in rows}),
        exemplary=[AgencyRow(agency, row) for agency, _code, row in best],
        featured=featured,
    )
