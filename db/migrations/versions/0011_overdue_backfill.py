"""OVERDUE events for the deadlines already passed (#15, point 2), and the overdue clock's
partial indexes: `ix_petitions_overdue_due` (open petitions whose latest deadline has no
OVERDUE yet) and `ix_petitions_urge_due` (those whose OVERDUE is written and that nobody
urged since: the automatic urge's candidates).

Every petition that ever had a deadline has its history walked (`app.domain.overdue.
missed_deadlines`, the rule the clock and the late path follow): a deadline that passed
with neither an answer nor a progress update gets its OVERDUE event, also where the answer
or the update came later. The events are appended at the end of the chain, in order of the
deadline, hashed as `db.event_log.append` hashes them (`app.domain.chain`), actor SYSTEM,
`at` the deadline, the status of the petition then, its agency then, the clock's note. The
petitions get their `overdue_count` and `overdue_deadline_at`; the statistics rollup's
counts are refilled from the petitions (as 0005 filled them, with 0010's columns), so
`overdue_ever` is exact. Silently: no outbox row (no e-mail, no webhook for the past), and
on PostgreSQL one NOTIFY at the end, so live subscribers read the new events once.

Upgraded again after a downgrade past 0010 (whose downgrade drops the counts; this one's
keeps the events, since deleting them would break the chain), the walk restores every
count from the events already in the log: `overdue_count` is the OVERDUE events written
plus those missed, `overdue_deadline_at` the latest of their deadlines, `urge_count` and
`last_urged_at` the URGE events' count and latest `at`; and the rollup is refilled
whether or not a deadline was missed. Here rather than in 0010, which stays plain ADD
COLUMN, and because this walk reads every event of every petition that has a deadline
anyway (the only petitions that can have been urged or overdue). Without it the clock
would write a second OVERDUE for a deadline that has one.

A clock's working days are read from the petition's own latest clock (its deadline counted
from its start), so a deployment with another PAKN_RESPONSE_WORKING_DAYS is walked with
its own count.

Bounded memory: petitions are read `BATCH` at a time (keyset on the id) with their events;
the deadlines found wait in a work table, read back in deadline order `BATCH` at a time.
This migration uses pakn's pure domain rules (`app.domain`: the chain's encoding, the
working-day calendar, the history walk), which import nothing else of pakn.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from app.domain.chain import GENESIS, EventContent, event_hash
from app.domain.overdue import HistoryEvent, missed_deadlines, overdue_note, working_days_clock
from app.domain.working_days import RESPONSE_WORKING_DAYS, local_date, working_days_between

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
"""Petitions walked, and events appended, per statement; `config.attributes["overdue_backfill_
batch"]` may set another (the tests cross batch boundaries with a few petitions)."""
CHAIN_LOCK_KEY = 7_242_016
NOTIFY_CHANNEL = "pakn_events"
WORK = "overdue_backfill_work"

OPEN = "status IN ('ASSIGNED', 'ESCALATED', 'IN_PROGRESS', 'TRANSFER_REQUESTED')"
NOT_YET_WRITTEN = "(overdue_deadline_at IS NULL OR overdue_deadline_at < deadline_at)"
INDEX = "CREATE INDEX {name} ON petitions (deadline_at, id) WHERE {where}"
"""Open petitions whose latest deadline has no OVERDUE yet, by deadline: the overdue clock's
query (`app.services.overdue`) repeats the WHERE's terms, so SQLite and PostgreSQL use it."""
INDEX_WHERE = {
    # PostgreSQL's own spelling (as 0005's), so that the demo loader's drop-and-recreate
    # from pg_get_indexdef gives back the same definition
    "postgresql": "status::text IN ('ASSIGNED'::text, 'ESCALATED'::text, 'IN_PROGRESS'::text,"
    f" 'TRANSFER_REQUESTED'::text) AND {NOT_YET_WRITTEN}",
    "sqlite": f"{OPEN} AND {NOT_YET_WRITTEN}",
}
NOT_URGED_SINCE = (
    "overdue_deadline_at = deadline_at AND (last_urged_at IS NULL OR last_urged_at < deadline_at)"
)
URGE_INDEX_WHERE = {
    "postgresql": "status::text IN ('ASSIGNED'::text, 'IN_PROGRESS'::text,"
    f" 'TRANSFER_REQUESTED'::text) AND {NOT_URGED_SINCE}",
    "sqlite": f"status IN ('ASSIGNED', 'IN_PROGRESS', 'TRANSFER_REQUESTED') AND {NOT_URGED_SINCE}",
}
"""`ix_petitions_urge_due`: petitions an agency holds whose latest deadline has its OVERDUE
and nobody urged since, by deadline: the automatic urge's (PAKN_AUTO_URGE_DAYS) candidates."""

_instant = sa.DateTime(timezone=True)
_PETITIONS = sa.table(
    "petitions",
    sa.column("id", sa.Integer()),
    sa.column("clock_started_at", _instant),
    sa.column("deadline_at", _instant),
    sa.column("overdue_count", sa.Integer()),
    sa.column("overdue_deadline_at", _instant),
    sa.column("urge_count", sa.Integer()),
    sa.column("last_urged_at", _instant),
)
_EVENTS = sa.table(
    "petition_events",
    sa.column("id", sa.Integer()),
    sa.column("petition_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("from_status", sa.String()),
    sa.column("to_status", sa.String()),
    sa.column("at", _instant),
    sa.column("actor_role", sa.String()),
    sa.column("agency_id", sa.Integer()),
    sa.column("note", sa.Text()),
    sa.column("is_public", sa.Boolean()),
    sa.column("previous_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_WORK = sa.table(
    WORK,
    sa.column("deadline", _instant),
    sa.column("petition_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("agency_id", sa.Integer()),
    sa.column("days", sa.Integer()),
)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC; PostgreSQL aware moments."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _stored(moment: datetime, dialect: str) -> datetime:
    """As `db.column_types.Instant` stores it: naive UTC text on SQLite."""
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None) if dialect == "sqlite" else utc


def _clock_days(clock_started_at: datetime | None, deadline_at: datetime) -> int:
    if clock_started_at is None:
        return RESPONSE_WORKING_DAYS
    return working_days_between(local_date(_aware(clock_started_at)), local_date(deadline_at))


def _batch() -> int:
    return int(context.config.attributes.get("overdue_backfill_batch", BATCH))


def _find(connection: sa.Connection, dialect: str, now: datetime) -> int:
    """Walk every petition that has a deadline, `BATCH` at a time; stage what it missed and
    set its counts from its events: the OVERDUE written already and those missed, the
    URGE events (only a petition with a deadline can be urged, and none loses it). Returns
    how many deadlines were missed."""
    found = 0
    last = 0
    stage = _WORK.insert()
    counts = (
        sa.update(_PETITIONS)
        .where(_PETITIONS.c.id == sa.bindparam("pid"))
        .values(
            overdue_count=sa.bindparam("overdue"),
            overdue_deadline_at=sa.bindparam("latest"),
            urge_count=sa.bindparam("urged"),
            last_urged_at=sa.bindparam("last_urged"),
        )
    )
    while True:
        petitions = connection.execute(
            sa.select(_PETITIONS.c.id, _PETITIONS.c.clock_started_at, _PETITIONS.c.deadline_at)
            .where(_PETITIONS.c.id > last, _PETITIONS.c.deadline_at.is_not(None))
            .order_by(_PETITIONS.c.id)
            .limit(_batch())
        ).all()
        if not petitions:
            return found
        first, last = petitions[0].id, petitions[-1].id
        histories: dict[int, list[HistoryEvent[datetime]]] = {}
        for row in connection.execute(
            sa.select(
                _EVENTS.c.petition_id,
                _EVENTS.c.action,
                _EVENTS.c.to_status,
                _EVENTS.c.at,
                _EVENTS.c.agency_id,
            )
            .where(_EVENTS.c.petition_id.between(first, last))
            .order_by(_EVENTS.c.petition_id, _EVENTS.c.id)
        ):
            histories.setdefault(row.petition_id, []).append(
                HistoryEvent(row.action, row.to_status, _aware(row.at), row.agency_id)
            )
        staged: list[dict[str, Any]] = []
        updated: list[dict[str, Any]] = []
        for petition in petitions:
            history = histories.get(petition.id, [])
            days = _clock_days(petition.clock_started_at, _aware(petition.deadline_at))
            missed = missed_deadlines(history, now, working_days_clock(days))
            overdue = [e.at for e in history if e.action == "OVERDUE"] + [
                m.deadline for m in missed
            ]
            urges = [e.at for e in history if e.action == "URGE"]
            if not overdue and not urges:
                continue
            staged.extend(
                {
                    "deadline": _stored(m.deadline, dialect),
                    "petition_id": petition.id,
                    "status": m.status,
                    "agency_id": m.agency_id,
                    "days": days,
                }
                for m in missed
            )
            updated.append(
                {
                    "pid": petition.id,
                    "overdue": len(overdue),
                    "latest": _stored(max(overdue), dialect) if overdue else None,
                    "urged": len(urges),
                    "last_urged": _stored(max(urges), dialect) if urges else None,
                }
            )
        if staged:
            connection.execute(stage, staged)
            found += len(staged)
        if updated:
            connection.execute(counts, updated)


def _append(connection: sa.Connection, dialect: str) -> None:
    """Chain the staged deadlines onto the log, earliest deadline first."""
    head = connection.execute(
        sa.select(_EVENTS.c.id, _EVENTS.c.hash).order_by(_EVENTS.c.id.desc()).limit(1)
    ).first()
    next_id = head.id + 1 if head else 1
    previous = head.hash if head and head.hash else GENESIS
    after: tuple[datetime, int] | None = None
    while True:
        query = sa.select(_WORK).order_by(_WORK.c.deadline, _WORK.c.petition_id).limit(_batch())
        if after is not None:
            query = query.where(
                sa.or_(
                    _WORK.c.deadline > after[0],
                    sa.and_(_WORK.c.deadline == after[0], _WORK.c.petition_id > after[1]),
                )
            )
        rows = connection.execute(query).all()
        if not rows:
            return
        events = []
        for row in rows:
            deadline = _aware(row.deadline)
            content = EventContent(
                id=next_id,
                petition_id=row.petition_id,
                action="OVERDUE",
                from_status=row.status,
                to_status=row.status,
                at=deadline,
                actor_role="SYSTEM",
                agency_id=row.agency_id,
                note=overdue_note(row.days),
                is_public=True,
            )
            digest = event_hash(content, previous)
            events.append(
                {
                    "id": next_id,
                    "petition_id": row.petition_id,
                    "action": "OVERDUE",
                    "from_status": row.status,
                    "to_status": row.status,
                    "at": _stored(deadline, dialect),
                    "actor_role": "SYSTEM",
                    "agency_id": row.agency_id,
                    "note": content.note,
                    "is_public": True,
                    "previous_hash": previous,
                    "hash": digest,
                }
            )
            previous, next_id = digest, next_id + 1
        connection.execute(_EVENTS.insert(), events)
        after = (rows[-1].deadline, rows[-1].petition_id)


# --- the statistics rollup, refilled (0005's SQL with 0010's two counts) ----------

COUNTS = (
    "received",
    "answered",
    "answered_on_time",
    "escalated",
    "follow_ups",
    "rejected",
    "rated_1",
    "rated_2",
    "rated_3",
    "rated_4",
    "rated_5",
    "open_with_deadline",
    "urged",
    "overdue_ever",
)
KEY = ("dimension", "grain", "period", "key")
DUE = f"({OPEN} AND deadline_at IS NOT NULL)"
REJECTED = "status = 'REJECTED'"
DIMENSION_KEYS = {
    "all": "''",
    "agency": "coalesce(CAST(agency_id AS TEXT), '')",
    "field": "coalesce(CAST(field_id AS TEXT), '')",
    "province": "coalesce(province_code, '')",
}


def _local(dialect: str, column: str, pg_format: str, sqlite_format: str) -> str:
    if dialect == "postgresql":
        return f"to_char(timezone('Asia/Ho_Chi_Minh', {column}), '{pg_format}')"
    return f"strftime('{sqlite_format}', {column}, '+7 hours')"


def _period(dialect: str, grain: str) -> str:
    if grain == "Y":
        return _local(dialect, "submitted_at", "YYYY", "%Y")
    if grain == "M":
        return _local(dialect, "submitted_at", "YYYY-MM", "%Y-%m")
    if dialect == "postgresql":
        return _local(dialect, "submitted_at", 'YYYY-"Q"Q', "")
    year = _local(dialect, "submitted_at", "YYYY", "%Y")
    month = f"CAST({_local(dialect, 'submitted_at', 'MM', '%m')} AS INTEGER)"
    return f"{year} || '-Q' || CAST(({month} + 2) / 3 AS TEXT)"


def _refill_stats(connection: sa.Connection, dialect: str) -> None:
    def count_if(condition: str) -> str:
        return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"

    ratings = ", ".join(count_if(f"rating_score = {s}") for s in range(1, 6))
    connection.execute(sa.text("DELETE FROM petition_stats_rollup"))
    for grain in ("Y", "Q", "M"):
        period = _period(dialect, grain)
        for dimension, key in DIMENSION_KEYS.items():
            groups = "3" if dimension == "all" else "3, 4"
            connection.execute(
                sa.text(
                    f"INSERT INTO petition_stats_rollup"
                    f" ({', '.join((*KEY, 'response_days', *COUNTS))})"
                    f" SELECT '{dimension}', '{grain}', {period}, {key},"
                    " coalesce(CASE WHEN answered_at IS NOT NULL"
                    " THEN response_working_days END, -1),"
                    " count(*), count(answered_at),"
                    f" {count_if('answered_on_time')}, count(escalated_at),"
                    f" coalesce(sum(follow_up_count), 0), {count_if(REJECTED)},"
                    f" {ratings}, {count_if(DUE)},"
                    f" {count_if('urge_count > 0')}, {count_if('overdue_count > 0')}"
                    f" FROM petitions GROUP BY {groups}, 5"
                )
            )


def upgrade() -> None:
    connection = op.get_bind()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})"))
    op.create_table(
        WORK,
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
    )
    op.create_index("ix_overdue_backfill_work_order", WORK, ["deadline", "petition_id"])
    found = _find(connection, dialect, datetime.now(UTC))
    if found:
        _append(connection, dialect)
    _refill_stats(connection, dialect)
    op.drop_table(WORK)
    op.execute(INDEX.format(name="ix_petitions_overdue_due", where=INDEX_WHERE[dialect]))
    op.execute(INDEX.format(name="ix_petitions_urge_due", where=URGE_INDEX_WHERE[dialect]))
    if found and dialect == "postgresql":
        connection.execute(sa.text(f"SELECT pg_notify('{NOTIFY_CHANNEL}', '')"))


def downgrade() -> None:
    """The indexes go; the OVERDUE events stay in the chain (deleting them would break it),
    and so do the petitions' counts, which 0010's downgrade drops with their columns (the
    upgrade restores them from the events)."""
    op.execute("DROP INDEX IF EXISTS ix_petitions_urge_due")
    op.execute("DROP INDEX IF EXISTS ix_petitions_overdue_due")
