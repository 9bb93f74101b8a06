"""Statistics in SQL: one statement per breakdown, tiny result sets, exact figures.

Each breakdown's rows are the additive counts of the petitions sharing a key and (for
answered petitions) a response time in working days, with their rating counts; the caller
(`app.domain.stats`) folds them into figures, reading medians and percentiles off the exact
response-time histograms. The number of statements does not depend on the number of
agencies, fields, provinces or months.

Where it can, a breakdown reads the rollups (`db.rollup`) for the whole months of the
window (as few years, quarters and months as tile them) and the petitions themselves only
for the partial months at its edges, all in one UNION ALL. Overdue depends on "now", so it
is rolled up as its complement: every open petition with a deadline, less those that fall
due after today (`petition_open_deadlines`), less those due later today (a short range of
`ix_petitions_open_deadline`). The rollups answer when the filter constrains at most one
of agency, field and province and the breakdown is by that same dimension, by month or a
total. Anything else (a channel or kind, two dimensions at once) groups the petitions of
the window directly, on the covering indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from app.domain.stats import COUNTS
from app.domain.timezone import VN_TZ
from app.domain.vocabulary import Action, PetitionStatus
from db.models import Agency, Field, Petition, PetitionEvent
from db.queries.periods import Split, periods_clause, split_window
from db.queries.petitions import PetitionCriteria, conditions, overdue
from db.rollup import (
    DEADLINES,
    NOT_ANSWERED,
    OPEN,
    SCORES,
    STATS,
    count_if,
    day_of,
    month_key,
)

Breakdown = Literal["total", "agency", "field", "province", "month", "intake"]


class GroupCounts(NamedTuple):
    """Additive counts of the petitions sharing a key (read by `app.domain.stats.Tally`)."""

    key: Any
    response_days: str | None
    """The answered petitions' response times, 'days:count,...' (a days value may repeat)."""
    received: int | None
    answered: int | None
    answered_on_time: int | None
    overdue_open: int | None
    escalated: int | None
    follow_ups: int | None
    rejected: int | None
    rated_1: int | None
    rated_2: int | None
    rated_3: int | None
    rated_4: int | None
    rated_5: int | None
    urged: int | None
    overdue_ever: int | None


ZERO = literal_column("0")


def _petition_key(by: Breakdown, dialect: str) -> ColumnElement[Any]:
    if by == "agency":
        return Petition.agency_id
    if by == "field":
        return Petition.field_id
    if by == "province":
        return Petition.province_code
    if by == "month":
        return month_key(dialect)
    if by == "intake":
        return Petition.intake_channel
    return ZERO


def _live(
    flt: PetitionCriteria, by: Breakdown, dialect: str, now: BindParameter[Any]
) -> Select[Any]:
    """Counts grouped from the petitions themselves."""
    key = _petition_key(by, dialect).label("key")
    answered = Petition.answered_at.is_not(None)
    days = case((answered, Petition.response_working_days), else_=None).label("days")
    return (
        select(
            key,
            days,
            *_labelled(
                func.count(),
                func.count(Petition.answered_at),
                count_if(Petition.answered_on_time.is_(True)),
                count_if(overdue(now)),
                func.count(Petition.escalated_at),
                func.coalesce(func.sum(Petition.follow_up_count), 0),
                count_if(Petition.status == PetitionStatus.REJECTED.value),
                *(count_if(Petition.rating_score == score) for score in SCORES),
                count_if(Petition.urge_count > 0),
                count_if(Petition.overdue_count > 0),
            ),
        )
        .where(*conditions(flt, dialect))
        # the key last: grouped in index order, SQLite would read the table through the
        # key's own index instead of scanning the covering ix_petitions_stats
        .group_by(*_grouping(by, days, key))
    )


def _labelled(*counts: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    return [count.label(name) for count, name in zip(counts, COUNTS, strict=True)]


def _grouping(by: Breakdown, *terms: ColumnElement[Any]) -> tuple[ColumnElement[Any], ...]:
    """GROUP BY terms without the key of a total (a constant, which GROUP BY would read as a
    column number)."""
    return terms if by != "total" else terms[:-1]


def rollup_dimension(flt: PetitionCriteria, by: Breakdown) -> str | None:
    """The rollup dimension that answers `by` under `flt`, or None if none can (the
    rollups keep no intake channel: those petitions are counted live)."""
    if (
        by == "intake"
        or flt.statuses
        or flt.channel
        or flt.kind
        or flt.intake_channels
        or flt.search_terms
        or flt.overdue is not None
    ):
        return None
    constrained = [
        dimension
        for dimension, on in (
            ("agency", flt.agency_ids is not None),
            ("field", flt.field_ids is not None),
            ("province", bool(flt.province_codes)),
        )
        if on
    ]
    wanted = by if by in ("agency", "field", "province") else None
    if not constrained:
        return wanted or "all"
    if len(constrained) > 1 or wanted not in (None, constrained[0]):
        return None
    return constrained[0]


def _rollup_key(table: Table, by: Breakdown) -> ColumnElement[Any]:
    if by in ("agency", "field"):
        return cast(func.nullif(table.c.key, ""), Integer)
    if by == "province":
        return func.nullif(table.c.key, "")
    if by == "month":
        return table.c.period
    return ZERO


def _rollup_where(
    table: Table, flt: PetitionCriteria, by: Breakdown, dimension: str, split: Split
) -> list[ColumnElement[bool]]:
    where = [
        table.c.dimension == dimension,
        periods_clause(table, split, months_only=by == "month"),
    ]
    wanted = {
        "agency": flt.agency_ids,
        "field": flt.field_ids,
        "province": flt.province_codes or None,
    }.get(dimension)
    if wanted is not None:
        where.append(table.c.key.in_([str(value) for value in wanted]))
    return where


def _rolled(flt: PetitionCriteria, by: Breakdown, dimension: str, split: Split) -> Select[Any]:
    """The whole months' counts; overdue as every open petition with a deadline (the
    ones not yet due are taken off by `_rolled_not_yet_due` and `_due_later_today`)."""
    table = STATS
    key = _rollup_key(table, by).label("key")
    days = func.nullif(table.c.response_days, NOT_ANSWERED).label("days")
    overdue_as = {"overdue_open": "open_with_deadline"}
    sums = [func.sum(table.c[overdue_as.get(name, name)]) for name in COUNTS]
    return (
        select(key, days, *_labelled(*sums))
        .where(*_rollup_where(table, flt, by, dimension, split))
        .group_by(*_grouping(by, days, key))
    )


def _overdue_correction(key: ColumnElement[Any], count: ColumnElement[int]) -> list[Any]:
    """A row of zeros but for `overdue_open`, which is `count` taken off."""
    counts = [-count if name == "overdue_open" else ZERO for name in COUNTS]
    return [key, null(), *counts]


def _rolled_not_yet_due(
    flt: PetitionCriteria, by: Breakdown, dimension: str, split: Split
) -> Select[Any]:
    """Open petitions of the whole months that fall due after "now"'s local day."""
    table = DEADLINES
    key = _rollup_key(table, by).label("key")
    return (
        select(*_overdue_correction(key, func.sum(table.c.open)))
        .where(*_rollup_where(table, flt, by, dimension, split), table.c.deadline_day > TODAY)
        .group_by(*_grouping(by, key))
    )


def _due_later_today(
    flt: PetitionCriteria, by: Breakdown, dialect: str, split: Split
) -> Select[Any]:
    """Open petitions of the whole months due later on "now"'s local day: not overdue yet."""
    whole = replace(flt, submitted_from=split.start, submitted_to=split.end)
    key = _petition_key(by, dialect).label("key")
    return (
        select(*_overdue_correction(key, func.count()))
        .where(
            *conditions(whole, dialect),
            # inline, so that a generic plan still matches ix_petitions_open_due's WHERE
            Petition.status.in_([literal_column(f"'{status}'") for status in OPEN]),
            Petition.deadline_at >= NOW,
            Petition.deadline_at < MIDNIGHT,
        )
        .group_by(*_grouping(by, key))
    )


NOW = bindparam("stats_now")
TODAY = bindparam("stats_today")
MIDNIGHT = bindparam("stats_midnight")
""""Now", its local day and the local midnight that ends it, as values bound at each run:
a statement is built once for a filter and breakdown (`statement`) and run at any time."""


def now_values(now: datetime) -> dict[str, Any]:
    """The values of `NOW`, `TODAY` and `MIDNIGHT` at `now`."""
    local = now.astimezone(VN_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return {"stats_now": now, "stats_today": day_of(now), "stats_midnight": midnight}


def statement(flt: PetitionCriteria, by: Breakdown, dialect: str) -> Select[Any]:
    """The one statement that yields `by`'s groups under `flt`, to run with `now_values`.

    Built once per filter and breakdown (a scorecard's is a few hundred SQLAlchemy
    elements, a third of its request's time when built each time)."""
    try:
        return _statement(replace(flt, now=None), by, dialect)
    except TypeError:  # a filter holding a list: not hashable, so built every time
        return _statement.__wrapped__(replace(flt, now=None), by, dialect)


@lru_cache(maxsize=512)
def _statement(flt: PetitionCriteria, by: Breakdown, dialect: str) -> Select[Any]:
    flt = replace(flt, now=NOW)  # type: ignore[arg-type]  # the overdue filter's "now", bound
    dimension = rollup_dimension(flt, by)
    split = split_window(flt.submitted_from, flt.submitted_to) if dimension else None
    if dimension is None or split is None:
        return _folded(_live(flt, by, dialect, NOW), dialect)
    parts: list[Select[Any]] = [
        _rolled(flt, by, dimension, split),
        _rolled_not_yet_due(flt, by, dimension, split),
        _due_later_today(flt, by, dialect, split),
    ]
    for low, high in split.edges:
        edge = replace(flt, submitted_from=low, submitted_to=high)
        parts.append(_live(edge, by, dialect, NOW))
    return _folded(union_all(*parts), dialect)


def _folded(groups: Select[Any] | CompoundSelect, dialect: str) -> Select[Any]:
    """One row per key: the counts summed, and the response times as one text histogram
    ('days:answered,...', repeats to be added up), so that a breakdown returns as many rows
    as it has keys instead of keys x response times."""
    inner = groups.subquery("groups")
    entry = case(
        (
            inner.c.days.is_not(None) & (inner.c.answered > 0),
            cast(inner.c.days, String) + ":" + cast(inner.c.answered, String),
        ),
        else_=None,
    )
    aggregate = func.string_agg if dialect == "postgresql" else func.group_concat
    return select(
        inner.c.key,
        aggregate(entry, ","),
        # sum(bigint) is numeric on PostgreSQL, which would come back as Decimal
        *(cast(func.sum(inner.c[name]), BigInteger) for name in COUNTS),
    ).group_by(inner.c.key)


CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")
"""Plan the statement for its values, for the rest of the transaction. After five runs of
a prepared statement PostgreSQL may switch to a generic plan made without them, and for
the statistics statement (ranges of days and months, one agency's keys) that plan took
5.4 ms against 2.2 ms. Simple statements (a petition by its code) are better off generic,
so the setting is not the connection's."""


async def _custom_plans(session: AsyncSession) -> None:
    """`CUSTOM_PLANS`, once a transaction. Marked before it runs: the session runs its
    statements in order, so a breakdown that comes while it is queued runs after it."""
    await session.connection()
    transaction = session.sync_session.get_transaction()
    if session.info.get("custom_plans") is not transaction:
        session.info["custom_plans"] = transaction
        await session.execute(CUSTOM_PLANS)


async def group_counts(
    session: AsyncSession, flt: PetitionCriteria, by: Breakdown, now: datetime
) -> list[GroupCounts]:
    """The filtered petitions' counts per (key, response time); several rows may share
    both (the caller adds them up).

    `now` decides which open petitions are overdue (deadline before it). Groups whose key is
    null (no agency, field or province yet) are included; the caller decides what to do
    with them.
    """
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        await _custom_plans(session)
    rows = await session.execute(statement(flt, by, dialect), now_values(now))
    return [GroupCounts._make(row) for row in rows]


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
