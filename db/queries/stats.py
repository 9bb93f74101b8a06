"""Statistics in SQL: one GROUP BY per breakdown, tiny result sets, exact figures.

Each breakdown is one statement over the filtered petitions, grouped by the breakdown's
key, the petition's rating score and (for answered petitions) its response time in working
days. The rows are the additive counts of each group; the caller (`app.stats`) folds them
into figures, reading medians and percentiles off the exact response-time histograms, so
no petition row ever leaves the database. The number of statements does not depend on the
number of agencies, fields, provinces or months.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import OPEN_STATUSES, Action, PetitionStatus
from db.models import Agency, Field, Petition, PetitionEvent
from db.queries.petitions import PetitionFilter, conditions

Breakdown = Literal["total", "agency", "field", "province", "month"]

LOCAL_ZONE = "Asia/Ho_Chi_Minh"
SQLITE_LOCAL_OFFSET = "+7 hours"
"""Asia/Ho_Chi_Minh has kept UTC+7 without daylight saving since 1975; SQLite has no zones."""


class GroupCounts(NamedTuple):
    """Additive counts of the petitions sharing a key, a rating score and a response time."""

    key: Any
    rating_score: int | None
    response_working_days: int | None
    """Set only on groups of answered petitions."""
    received: int
    answered: int
    answered_on_time: int
    overdue_open: int
    escalated: int
    follow_ups: int
    rejected: int


def month_key(dialect: str) -> ColumnElement[str]:
    """YYYY-MM of `submitted_at` in local time."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(LOCAL_ZONE, Petition.submitted_at), "YYYY-MM")
    return func.strftime("%Y-%m", Petition.submitted_at, SQLITE_LOCAL_OFFSET)


def _key(by: Breakdown, dialect: str) -> ColumnElement[Any]:
    if by == "agency":
        return Petition.agency_id
    if by == "field":
        return Petition.field_id
    if by == "province":
        return Petition.province_code
    if by == "month":
        return month_key(dialect)
    return literal(0)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


async def group_counts(
    session: AsyncSession, flt: PetitionFilter, by: Breakdown, now: datetime
) -> list[GroupCounts]:
    """The filtered petitions' counts per (key, rating score, response time).

    `now` decides which open petitions are overdue (deadline before it). Groups whose key is
    null (no agency, field or province yet) are included; the caller decides what to do
    with them.
    """
    dialect = session.bind.dialect.name
    key = _key(by, dialect).label("key")
    answered = Petition.answered_at.is_not(None)
    days = case((answered, Petition.response_working_days), else_=None).label("days")
    overdue = Petition.status.in_([s.value for s in OPEN_STATUSES]) & (Petition.deadline_at < now)
    statement = (
        select(
            key,
            Petition.rating_score,
            days,
            func.count(),
            func.count(Petition.answered_at),
            _count_if(Petition.answered_on_time.is_(True)),
            _count_if(overdue),
            func.count(Petition.escalated_at),
            func.coalesce(func.sum(Petition.follow_up_count), 0),
            _count_if(Petition.status == PetitionStatus.REJECTED.value),
        )
        .where(*conditions(flt, dialect))
        # the key last: grouped in index order, SQLite would read the table through the
        # key's own index instead of scanning the covering ix_petitions_stats
        .group_by(Petition.rating_score, days, key)
    )
    rows = await session.execute(statement)
    return [GroupCounts(*(int(v) if i > 2 else v for i, v in enumerate(row))) for row in rows]


async def event_counts_by_agency(
    session: AsyncSession, action: Action, start: datetime, end: datetime
) -> dict[int, int]:
    """How many `action` events each agency has in [start, end)."""
    statement = (
        select(PetitionEvent.agency_id, func.count())
        .where(
            PetitionEvent.action == action.value,
            PetitionEvent.at >= start,
            PetitionEvent.at < end,
            PetitionEvent.agency_id.is_not(None),
        )
        .group_by(PetitionEvent.agency_id)
    )
    return {int(agency): int(n) for agency, n in (await session.execute(statement)).all()}


async def featured_between(
    session: AsyncSession, start: datetime, end: datetime, limit: int
) -> list[Petition]:
    """Petitions featured in [start, end), oldest feature first."""
    statement = (
        select(Petition)
        .where(Petition.featured_at >= start, Petition.featured_at < end)
        .order_by(Petition.featured_at, Petition.id)
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def all_agencies(session: AsyncSession) -> list[Agency]:
    return list(await session.scalars(select(Agency).order_by(Agency.code)))


async def fields_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Field]:
    rows = await session.scalars(select(Field).where(Field.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def agencies_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Agency]:
    rows = await session.scalars(select(Agency).where(Agency.id.in_(list(ids))))
    return {row.id: row for row in rows}
