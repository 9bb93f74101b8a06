"""The overdue clock (#15, point 2): one OVERDUE event for each deadline that passes with
neither an answer nor a progress update (`app.domain.overdue`).

Two paths write it, through the same claim:

* the background job "overdue-clock" (`app.services.jobs`): every PAKN_OVERDUE_INTERVAL the
  leader finds the due petitions, `BATCH` a transaction, in deadline order, through the
  partial index `ix_petitions_overdue_due` (open petitions whose latest deadline has no
  OVERDUE yet), so a run costs the petitions due, not the million stored;
* `transitions.apply`, before any action's effect: a deadline that passed while the
  scheduler was down or behind gets its OVERDUE first, in the action's transaction, so an
  answer given late after an outage still leaves its OVERDUE.

Exactly once: the claim is one `UPDATE ... WHERE` the OVERDUE is still due (open, deadline
passed, `overdue_deadline_at` before the deadline), and only a row it changed gets an
event. Two schedulers at once, or the clock racing a late answer, cannot both claim a
deadline: on PostgreSQL the second UPDATE waits for the first's row lock and re-checks the
condition against what it committed; on SQLite writes are serialised.

Locks are taken in the writers' order (`app.services.transitions`, `app.services.erasure`):
the batch's rows first, in id order in one statement, then the chain lock, which the first
appended event takes. The event: actor SYSTEM, `at` the deadline that passed, public, the
status unchanged, the petition's agency, a short public note. `version` stays: no officer's
pending edit turns stale. The petition's `overdue_count` and `overdue_deadline_at` move,
and the rollup takes the change (`overdue_ever`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    TextClause,
    and_,
    bindparam,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from app.domain.overdue import auto_urge_is_due, overdue_is_due, overdue_note
from app.domain.vocabulary import OPEN_STATUS_VALUES, Action, ActorRole, PetitionStatus
from app.domain.workflow import URGE_STATUSES, Actor, Refusal, decide
from app.domain.working_days import RESPONSE_WORKING_DAYS, local_date, working_days_between
from app.services.outcome import UserErrors
from db import event_log, rollup
from db.column_types import Instant
from db.event_log import NewEvent
from db.models import OVERDUE_DUE_WHERE, URGE_DUE_WHERE, Petition, PetitionEvent
from db.transactions import WriteGate

logger = logging.getLogger("pakn.overdue")

BATCH = 500
"""Petitions handled per transaction by the clock."""
MAX_BATCH = 10_000

Notify = Callable[[AsyncSession, PetitionEvent, Petition], Awaitable[None]]
"""What an appended event owes its audience: `notifications.queue_for_event` with the
settings bound (the composition root binds them)."""

Urge = Callable[[AsyncSession, Petition, datetime], Awaitable[None]]
"""An URGE by SYSTEM through `transitions.apply` (`transitions.system_urge` binds the
settings and the note)."""

_SYSTEM = Actor(ActorRole.SYSTEM)
_OPEN = [literal_column(f"'{status}'") for status in OPEN_STATUS_VALUES]


def not_yet_written() -> ColumnElement[bool]:
    """The latest deadline has no OVERDUE yet: none written, or one for an earlier one."""
    return or_(
        Petition.overdue_deadline_at.is_(None),
        Petition.overdue_deadline_at < Petition.deadline_at,
    )


def due(now: datetime) -> ColumnElement[bool]:
    """SQL's `app.domain.overdue.overdue_is_due`: open, past the deadline, not written (the
    claim's re-check, on rows found by `due_ids`)."""
    return and_(Petition.status.in_(_OPEN), not_yet_written(), Petition.deadline_at < now)


DUE_INDEX = "ix_petitions_overdue_due"
_DUE_IDS = (
    "SELECT id FROM petitions{hint} WHERE " + OVERDUE_DUE_WHERE + " AND deadline_at < :now"
    " ORDER BY deadline_at, id LIMIT :limit"
)


URGE_INDEX = "ix_petitions_urge_due"
_URGE_IDS = (
    "SELECT id FROM petitions{hint} WHERE " + URGE_DUE_WHERE + " AND deadline_at < :now"
    " ORDER BY deadline_at, id LIMIT :limit"
)


def _statement(template: str, index: str, dialect: str) -> TextClause:
    hint = f" INDEXED BY {index}" if dialect == "sqlite" else ""
    return text(template.format(hint=hint)).bindparams(
        bindparam("now", type_=Instant()), bindparam("limit", type_=Integer())
    )


def urge_ids_statement(dialect: str) -> TextClause:
    """The automatic urge's candidates, earliest deadline first: a range of `URGE_INDEX`
    (petitions an agency holds, their latest deadline overdue, nobody urged since)."""
    return _statement(_URGE_IDS, URGE_INDEX, dialect)


def due_ids_statement(dialect: str) -> TextClause:
    """The next due petitions, earliest deadline first: a range of `DUE_INDEX`, whose WHERE
    this query repeats word for word. SQLite, without statistics, would rather take the
    status equality of `ix_petitions_open_deadline` and sort every open petition past its
    deadline, answered ones included: it is told the index (INDEXED BY fails loudly if the
    index were missing, instead of scanning)."""
    return _statement(_DUE_IDS, DUE_INDEX, dialect)


async def due_ids(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    statement = due_ids_statement(session.get_bind().dialect.name)
    return list(await session.scalars(statement, {"now": now, "limit": limit}))


def clock_days(petition: Petition) -> int:
    """The working days of the petition's current clock (its deadline counted from its
    start), whatever PAKN_RESPONSE_WORKING_DAYS was when it started."""
    if petition.clock_started_at is None or petition.deadline_at is None:
        return RESPONSE_WORKING_DAYS
    return working_days_between(
        local_date(petition.clock_started_at), local_date(petition.deadline_at)
    )


async def _claim(session: AsyncSession, ids: Sequence[int], now: datetime) -> set[int]:
    """Count the OVERDUE on each of these petitions still due at `now`; return those
    claimed here (the others are no longer due, or another writer claimed them)."""
    with session.no_autoflush:
        rows = await session.execute(
            update(Petition)
            .where(Petition.id.in_(list(ids)), due(now))
            .values(
                overdue_count=Petition.overdue_count + 1,
                overdue_deadline_at=Petition.deadline_at,
            )
            .returning(Petition.id)
            .execution_options(synchronize_session=False)
        )
    return {row.id for row in rows}


async def _write(
    session: AsyncSession, petitions: Sequence[Petition], notify: Notify
) -> list[PetitionEvent]:
    """The events of `petitions`, claimed already, in the given order; then their rollup
    change, once, after the chain lock (the first append) is held."""
    changes: dict[rollup.RowKey, list[int]] = {}
    events = []
    for petition in petitions:
        assert petition.deadline_at is not None
        before = rollup.contribution(petition)
        set_committed_value(petition, "overdue_count", (petition.overdue_count or 0) + 1)
        set_committed_value(petition, "overdue_deadline_at", petition.deadline_at)
        for row, counts in rollup.deltas(before, rollup.contribution(petition)).items():
            total = changes.setdefault(row, [0] * len(counts))
            for i, n in enumerate(counts):
                total[i] += n
        event = await event_log.append(
            session,
            NewEvent(
                petition_id=petition.id,
                action=Action.OVERDUE.value,
                from_status=petition.status,
                to_status=petition.status,
                at=petition.deadline_at,
                actor_role=ActorRole.SYSTEM.value,
                agency_id=petition.agency_id,
                note=overdue_note(clock_days(petition)),
                is_public=True,
            ),
        )
        await notify(session, event, petition)
        events.append(event)
    if changes:
        await rollup.record(session, None, {row: tuple(n) for row, n in changes.items()})
    return events


def _allowed(petition: Petition) -> bool:
    """The workflow's word: SYSTEM writes OVERDUE in every open status."""
    decision = decide(PetitionStatus(petition.status), Action.OVERDUE, _SYSTEM, petition.agency_id)
    return not isinstance(decision, Refusal)


async def write_if_due(
    session: AsyncSession, petition: Petition, now: datetime, notify: Notify
) -> PetitionEvent | None:
    """The late path, in the caller's transaction (`transitions.apply`, before the action):
    the OVERDUE `petition` owes at `now`, if any. The petition as read keeps matching the
    row: its counts are set as committed, so the action's claim compares them."""
    if not overdue_is_due(
        petition.status, petition.deadline_at, petition.overdue_deadline_at, now
    ) or not _allowed(petition):
        return None
    if petition.id not in await _claim(session, [petition.id], now):
        return None
    [event] = await _write(session, [petition], notify)
    return event


async def write_due(
    session: AsyncSession, now: datetime, notify: Notify, *, batch: int = BATCH
) -> tuple[int, int]:
    """One batch of the clock, in the caller's transaction: up to `batch` due petitions,
    their OVERDUE events in deadline order. Returns (found, written): fewer found than
    `batch` means none is left."""
    ids = await due_ids(session, now, batch)
    if not ids:
        return 0, 0
    ids.sort()
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(Petition.id).where(Petition.id.in_(ids)).order_by(Petition.id).with_for_update()
        )
    loaded = {
        petition.id: petition
        for petition in await session.scalars(
            select(Petition).where(Petition.id.in_(ids)).execution_options(populate_existing=True)
        )
    }
    allowed = [pid for pid in ids if pid in loaded and _allowed(loaded[pid])]
    claimed = await _claim(session, allowed, now) if allowed else set()
    petitions = sorted(
        (loaded[pid] for pid in claimed),
        key=lambda p: (p.deadline_at, p.id),
    )
    await _write(session, petitions, notify)
    return len(ids), len(petitions)


async def run_clock(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    clock: Callable[[], datetime],
    notify: Notify,
    *,
    batch: int = BATCH,
    proceed: Callable[[], bool] = lambda: True,
) -> int:
    """Write every OVERDUE due at `clock()`, a batch a transaction, while `proceed()` holds
    (asked between transactions); return how many were written. Stopped midway, it leaves
    each batch done or untouched, and the next run does the rest. A batch that wrote
    nothing (another scheduler claimed all it found) ends the run too: never a busy loop."""
    if not 1 <= batch <= MAX_BATCH:
        raise ValueError(f"an overdue batch holds 1 to {MAX_BATCH} petitions, not {batch}")
    written = 0
    while proceed():
        async with sessions() as session:
            async with writes.transaction(session):
                found, done = await write_due(session, clock(), notify, batch=batch)
        written += done
        if found < batch or not done:
            break
    return written


async def urge_due(
    session: AsyncSession, now: datetime, days: int, urge: Urge, *, batch: int = BATCH
) -> tuple[bool, int]:
    """One batch of the automatic urge, in the caller's transaction: the petitions whose
    OVERDUE deadline lies `days` working days back and that nobody urged since, urged by
    SYSTEM (once: the urge takes them out of `URGE_INDEX`). Rows are locked in id order
    before the first urge takes the chain lock. Returns (more may be due, urged)."""
    statement = urge_ids_statement(session.get_bind().dialect.name)
    ids = list(await session.scalars(statement, {"now": now, "limit": batch}))
    if not ids:
        return False, 0
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(Petition.id)
            .where(Petition.id.in_(sorted(ids)))
            .order_by(Petition.id)
            .with_for_update()
        )
    loaded = {
        petition.id: petition
        for petition in await session.scalars(
            select(Petition).where(Petition.id.in_(ids)).execution_options(populate_existing=True)
        )
    }
    urged = 0
    for petition in sorted(loaded.values(), key=lambda p: (p.deadline_at, p.id)):
        deadline = petition.deadline_at
        last = petition.last_urged_at
        if not auto_urge_is_due(deadline, now, days, urged_since=False):
            return False, urged  # later deadlines are not due either
        if (
            petition.status not in URGE_STATUSES
            or petition.overdue_deadline_at != deadline
            or (last is not None and deadline is not None and last >= deadline)
        ):
            continue  # changed since it was found
        try:
            async with session.begin_nested():
                await urge(session, petition, now)
        except UserErrors as refused:
            logger.warning("automatic urge of petition %d refused: %s", petition.id, refused)
            continue
        urged += 1
    return len(ids) == batch and urged > 0, urged


async def run_auto_urge(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    clock: Callable[[], datetime],
    days: int,
    urge: Urge,
    *,
    batch: int = BATCH,
    proceed: Callable[[], bool] = lambda: True,
) -> int:
    """Urge (SYSTEM) every petition `days` working days overdue that nobody urged since its
    deadline, a batch a transaction, while `proceed()` holds; return how many."""
    if days <= 0:
        return 0
    urged = 0
    while proceed():
        async with sessions() as session:
            async with writes.transaction(session):
                more, done = await urge_due(session, clock(), days, urge, batch=batch)
        urged += done
        if not more:
            break
    return urged
