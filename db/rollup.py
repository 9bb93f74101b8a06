"""The statistics rollups: exact, and never behind.

Statistics over a window used to scan every petition in it (a million index entries for
"all time"). Two tables now hold what those scans computed, per local calendar period of
submission, once for everyone ('all') and once per agency, field and province:

* `petition_stats_rollup`: the additive counts (received, answered, on time, ...), split by
  response time so that medians and percentiles stay exact;
* `petition_open_deadlines`: how many open petitions fall due on each local day, which with
  the count of open petitions that have a deadline gives "overdue" at any moment (see
  `db.queries.stats`).

Each period is kept at three grains, a year ('2026'), a quarter ('2026-Q3') and a month
('2026-07'), so any run of whole months is a handful of periods: all time is the years, a
quarter is one row set.

They are kept exact by construction:
* every write that changes a petition's figures records the difference between the
  petition's contribution before and after, in the same transaction (`record`), after the
  event-log lock is taken, so writers never race on a row;
* bulk loaders (the demo loader, migration 0005) `rebuild` them from `petitions`;
* `differences` recomputes them from `petitions` and names every row that disagrees
  (`pakn stats verify`); the tests run it after real workflows on both databases.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    Select,
    String,
    Table,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.domain.timezone import to_local
from app.domain.vocabulary import OPEN_STATUS_VALUES, PetitionStatus
from db.event_log import CHAIN_LOCK_KEY
from db.models import OpenDeadlineRollup, Petition, StatsRollup

LOCAL_ZONE = "Asia/Ho_Chi_Minh"
SQLITE_LOCAL_OFFSET = "+7 hours"
"""Asia/Ho_Chi_Minh has kept UTC+7 without daylight saving since 1975; SQLite has no zones."""

DIMENSIONS = ("all", "agency", "field", "province")
GRAINS = ("Y", "Q", "M")
NOT_ANSWERED = -1
SCORES = (1, 2, 3, 4, 5)
OPEN = OPEN_STATUS_VALUES

STATS = StatsRollup.__table__
DEADLINES = OpenDeadlineRollup.__table__
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    STATS.name: ("dimension", "grain", "period", "key", "response_days"),
    DEADLINES.name: ("dimension", "grain", "period", "key", "deadline_day"),
}
COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    STATS.name: (
        "received",
        "answered",
        "answered_on_time",
        "escalated",
        "follow_ups",
        "rejected",
        *(f"rated_{score}" for score in SCORES),
        "open_with_deadline",
        "urged",
        "overdue_ever",
    ),
    DEADLINES.name: ("open",),
}
TABLES = (STATS, DEADLINES)

RowKey = tuple[str, tuple[Any, ...]]
"""(table name, the row's key columns)."""
Contribution = dict[RowKey, tuple[int, ...]]
"""The counts one petition adds to each rollup row it belongs to."""


# --- periods and days, in Python and in SQL --------------------------------


def periods_of(moment: datetime) -> dict[str, str]:
    """The year, quarter and month (by grain) of `moment`, in local time."""
    local = to_local(moment)
    return {
        "Y": f"{local.year:04d}",
        "Q": f"{local.year:04d}-Q{(local.month - 1) // 3 + 1}",
        "M": f"{local.year:04d}-{local.month:02d}",
    }


def day_of(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d")


def _local_format(column: Any, dialect: str, pg_format: str, sqlite_format: str) -> Any:
    if dialect == "postgresql":
        return func.to_char(func.timezone(LOCAL_ZONE, column), pg_format, type_=String)
    return func.strftime(sqlite_format, column, SQLITE_LOCAL_OFFSET, type_=String)


def month_key(dialect: str) -> ColumnElement[str]:
    """YYYY-MM of `submitted_at` in local time."""
    return _local_format(Petition.submitted_at, dialect, "YYYY-MM", "%Y-%m")


def period_key(grain: str, dialect: str) -> ColumnElement[str]:
    """The period of `submitted_at` at `grain`, in local time."""
    if grain == "M":
        return month_key(dialect)
    year = _local_format(Petition.submitted_at, dialect, "YYYY", "%Y")
    if grain == "Y":
        return year
    if dialect == "postgresql":
        return _local_format(Petition.submitted_at, dialect, 'YYYY-"Q"Q', "")
    month = cast(_local_format(Petition.submitted_at, dialect, "MM", "%m"), Integer)
    return year + "-Q" + cast((month + 2) // 3, String)


def deadline_day(dialect: str) -> ColumnElement[str]:
    return _local_format(Petition.deadline_at, dialect, "YYYY-MM-DD", "%Y-%m-%d")


# --- one petition's contribution -------------------------------------------


def _text(value: int | str | None) -> str:
    return "" if value is None else str(value)


def contribution(petition: Petition) -> Contribution:
    """What `petition`, as it stands, adds to the rollups."""
    answered = petition.answered_at is not None
    days = petition.response_working_days
    response_days = days if answered and days is not None else NOT_ANSWERED
    due = petition.status in OPEN and petition.deadline_at is not None
    counts = (
        1,
        int(answered),
        int(petition.answered_on_time is True),
        int(petition.escalated_at is not None),
        petition.follow_up_count or 0,
        int(petition.status == PetitionStatus.REJECTED.value),
        *(int(petition.rating_score == score) for score in SCORES),
        int(due),
        int((petition.urge_count or 0) > 0),
        int((petition.overdue_count or 0) > 0),
    )
    keys = {
        "all": "",
        "agency": _text(petition.agency_id),
        "field": _text(petition.field_id),
        "province": _text(petition.province_code),
    }
    found: Contribution = {}
    for grain, period in periods_of(petition.submitted_at).items():
        for dimension, key in keys.items():
            found[(STATS.name, (dimension, grain, period, key, response_days))] = counts
            if due:
                assert petition.deadline_at is not None
                row = (dimension, grain, period, key, day_of(petition.deadline_at))
                found[(DEADLINES.name, row)] = (1,)
    return found


def deltas(before: Contribution | None, after: Contribution | None) -> dict[RowKey, list[int]]:
    """The non-zero changes that turn `before` into `after`, row by row."""
    changes: dict[RowKey, list[int]] = {}
    for sign, part in ((-1, before or {}), (1, after or {})):
        for row, counts in part.items():
            total = changes.setdefault(row, [0] * len(counts))
            for i, n in enumerate(counts):
                total[i] += sign * n
    return {row: counts for row, counts in changes.items() if any(counts)}


@cache
def _upsert(dialect: str, table: Table) -> Insert:
    """One row's upsert that adds its counts; built once, run as an executemany."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS[table.name]),
        set_={name: table.c[name] + statement.excluded[name] for name in COUNT_COLUMNS[table.name]},
    )


async def record(
    session: AsyncSession, before: Contribution | None, after: Contribution | None
) -> None:
    """Add the difference between a petition's two contributions, in the caller's
    transaction. Call it after the event-log lock is held (writes are serialised there), so
    concurrent writers never deadlock on rollup rows; rows are written in key order too."""
    changes = deltas(before, after)
    dialect = session.bind.dialect.name
    for table in TABLES:
        names = (*KEY_COLUMNS[table.name], *COUNT_COLUMNS[table.name])
        rows = [
            dict(zip(names, (*key, *counts), strict=True))
            for (name, key), counts in sorted(changes.items())
            if name == table.name
        ]
        if rows:
            await session.execute(_upsert(dialect, table), rows)


# --- computing the rollups from the petitions ------------------------------


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet `condition` (0, never NULL, for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _dimension_key(dimension: str) -> ColumnElement[str]:
    keys: dict[str, ColumnElement[str]] = {
        "all": literal("", String),
        "agency": func.coalesce(cast(Petition.agency_id, String), ""),
        "field": func.coalesce(cast(Petition.field_id, String), ""),
        "province": func.coalesce(Petition.province_code, ""),
    }
    return keys[dimension]


def _is_due() -> ColumnElement[bool]:
    return Petition.status.in_(OPEN) & Petition.deadline_at.is_not(None)


def computed(table: Table, dimension: str, grain: str, dialect: str) -> Select[Any]:
    """The rows of one rollup, dimension and grain, computed from `petitions`."""
    period = period_key(grain, dialect).label("period")
    key = _dimension_key(dimension).label("key")
    head = (literal(dimension, String).label("dimension"), literal(grain, String).label("grain"))
    keyed = (period,) if dimension == "all" else (period, key)
    if table is DEADLINES:
        day = deadline_day(dialect).label("deadline_day")
        return (
            select(*head, period, key, day, func.count().label("open"))
            .where(_is_due())
            .group_by(*keyed, day)
        )
    answered = Petition.answered_at.is_not(None)
    days = func.coalesce(
        case((answered, Petition.response_working_days), else_=None), NOT_ANSWERED
    ).label("response_days")
    return select(
        *head,
        period,
        key,
        days,
        func.count().label("received"),
        func.count(Petition.answered_at).label("answered"),
        count_if(Petition.answered_on_time.is_(True)).label("answered_on_time"),
        func.count(Petition.escalated_at).label("escalated"),
        func.coalesce(func.sum(Petition.follow_up_count), 0).label("follow_ups"),
        count_if(Petition.status == PetitionStatus.REJECTED.value).label("rejected"),
        *(count_if(Petition.rating_score == s).label(f"rated_{s}") for s in SCORES),
        count_if(_is_due()).label("open_with_deadline"),
        count_if(Petition.urge_count > 0).label("urged"),
        count_if(Petition.overdue_count > 0).label("overdue_ever"),
    ).group_by(*keyed, days)


def _every_part(table: Table, dialect: str) -> list[Select[Any]]:
    return [computed(table, d, g, dialect) for d in DIMENSIONS for g in GRAINS]


async def rebuild(conn: AsyncConnection) -> None:
    """Recompute the rollups from `petitions` (bulk loads, repairs), holding the writers'
    lock so that no write's change falls between the two."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    for table in TABLES:
        await conn.execute(delete(table))
        names = [*KEY_COLUMNS[table.name], *COUNT_COLUMNS[table.name]]
        for part in _every_part(table, dialect):
            await conn.execute(table.insert().from_select(names, part))


Difference = tuple[RowKey, tuple[int, ...], tuple[int, ...]]


async def differences(conn: AsyncConnection) -> list[Difference]:
    """Rows where a stored rollup and a fresh computation disagree: (row, stored, computed),
    zero rows counting as absent. Empty when the rollups are exact. Both are read in one
    snapshot, so writes committing meanwhile cannot show as differences: on PostgreSQL,
    call it first in its transaction."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        await conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    found: list[Difference] = []
    for table in TABLES:
        width = len(KEY_COLUMNS[table.name])
        names = (*KEY_COLUMNS[table.name], *COUNT_COLUMNS[table.name])

        def by_row(rows: Any, width: int = width) -> dict[tuple[Any, ...], tuple[int, ...]]:
            rows_by_key = {}
            for row in rows:
                counts = tuple(int(n) for n in row[width:])
                if any(counts):
                    rows_by_key[tuple(row[:width])] = counts
            return rows_by_key

        expected = by_row(await conn.execute(union_all(*_every_part(table, dialect))))
        actual = by_row(await conn.execute(select(*(table.c[name] for name in names))))
        zero = (0,) * (len(names) - width)
        found.extend(
            ((table.name, row), actual.get(row, zero), expected.get(row, zero))
            for row in sorted(expected.keys() | actual.keys())
            if actual.get(row) != expected.get(row)
        )
    return found
