"""Erasing a petitioner's contact data: on their request, or after the retention period.

What is erased: the `petitioner_contacts` row (name, e-mail, phone, address, organisation,
tax code) is deleted, and with it what was derived from the submission or the client
(`db.queries.erasure`), and the petition's e-mails still queued in the outbox (the
consent went with the contact row). What stays: the public record (title, body, answers and their
seals, ratings, the history, the statistics) and the petitioner's secret, which keeps
working for rating and following up. Each erasure appends one public `CONTACT_ERASED`
event with no note (the actor PETITIONER or SYSTEM, the status unchanged) in its own
transaction; the petition's `version` does not change, so no officer's pending edit turns
stale. The event is handed to `notify` (`notifications.for_settings`) in that transaction,
like every public event: the webhooks get it (it holds no personal data); no e-mail, which
CONTACT_ERASED never sends (`app.domain.email_notice.EMAIL_ACTIONS`), the contact is gone.

The purge runs in batches of `PURGE_BATCH` petitions, one transaction each: a million
petitions never sit in one transaction, and a purge stopped halfway (a lost leadership, a
shutdown, a crash) leaves every batch either done or untouched; the next run picks up what
is still due. Erasing again is refused (`ALREADY_ERASED`), and the purge skips what is
erased, so running it twice changes nothing.

A batch takes its locks in the writers' order (`_erase`): all its rows first, the chain
lock last, so a petitioner rating or following up a petition of the batch at that moment
is waited for (or waits), and neither deadlocks.

On SQLite the erasing connection runs with `secure_delete`, so the deleted row's bytes are
overwritten in the database file, not merely marked free; `checkpoint` then moves the
change out of the write-ahead log: after each petitioner's erasure, after each background
purge run that erased something (`app.services.jobs`) and after `pakn privacy purge`.
A worker's memory of persisted documents drops those naming erased values at once; other
workers re-read a document from the table before serving it once they have held it
`app.services.persisted_queries.MEMORY_SECONDS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from app.domain.retention import retention_cutoff
from app.domain.vocabulary import Action, ActorRole
from app.services import auth, email_outbox
from app.services.actions import invalid_secret
from app.services.outcome import UserErrors, problem
from app.services.overdue import Notify
from app.services.persisted_queries import forget_cached_documents
from db import event_log
from db.event_log import NewEvent
from db.models import Petition
from db.queries import erasure
from db.transactions import WriteGate

ALREADY_ERASED = "ALREADY_ERASED"
PURGE_BATCH = 500
"""Petitions erased per transaction by the purge."""
MAX_PURGE_BATCH = 10_000
"""The most a purge batch may hold: its ids are one bound parameter each."""

logger = logging.getLogger("pakn.erasure")

ERASED_COLUMNS = ("idempotency_key", "submission_fingerprint", "client_fingerprint")


@dataclass(frozen=True)
class Erased:
    """What one erasing transaction did: the petitions it erased, and the contact values
    it deleted (which the worker's persisted-query memory must drop too)."""

    petitions: list[erasure.Claimed]
    values: list[str]


async def _erase(
    session: AsyncSession,
    petition_ids: list[int],
    now: datetime,
    actor: ActorRole,
    notify: Notify | None,
    cutoff: datetime | None = None,
) -> Erased:
    """Erase these petitions' contact data in the caller's transaction; leave out those
    another eraser got to first (or, with `cutoff`, no longer due).

    The order is the writers' (`app.services.transitions`): every row lock first, then the
    chain lock, which the first appended event takes and holds until commit. Every row
    this transaction will touch is claimed in one statement, the contacts are deleted and
    the persisted documents scanned once for the whole batch, and only then are the events
    appended: a writer holding one of the rows (and waiting for the chain lock) is waited
    for before the chain lock is taken, never while it is held."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("PRAGMA secure_delete = ON"))
    claimed = await erasure.claim(session, petition_ids, now, cutoff=cutoff)
    if not claimed:
        return Erased([], [])
    values = await erasure.delete_contacts(session, [petition.id for petition in claimed])
    await email_outbox.drop_queued(session, [petition.id for petition in claimed])
    await erasure.forget_documents_naming(session, values)
    loaded: dict[int, Petition] = {}
    if notify is not None:
        loaded = {
            petition.id: petition
            for petition in await session.scalars(
                select(Petition).where(Petition.id.in_([petition.id for petition in claimed]))
            )
        }
    for petition in claimed:
        event = await event_log.append(
            session,
            NewEvent(
                petition_id=petition.id,
                action=Action.CONTACT_ERASED.value,
                from_status=petition.status,
                to_status=petition.status,
                at=now,
                actor_role=actor.value,
                agency_id=petition.agency_id,
            ),
        )
        if notify is not None:
            await notify(session, event, loaded[petition.id])
    return Erased(claimed, values)


def _already_erased(erased_at: datetime | None) -> UserErrors:
    when = f" on {erased_at.isoformat(timespec='seconds')}" if erased_at else ""
    return UserErrors(
        problem(ALREADY_ERASED, f"The contact data was already erased{when}.", "trackingCode")
    )


async def erase_for_petitioner(
    writes: WriteGate,
    session: AsyncSession,
    tracking_code: str,
    secret: str,
    now: datetime,
    *,
    notify: Notify,
) -> Petition:
    """The petitioner's request, in its own transaction: the same INVALID_SECRET as every
    petitioner action for an unknown code or a wrong secret, ALREADY_ERASED the second
    time. `notify` queues what the CONTACT_ERASED event owes (its webhooks)."""
    async with writes.transaction(session):
        petition = await auth.petition_of_petitioner(session, tracking_code, secret)
        if petition is None:
            raise invalid_secret()
        if petition.contact_erased_at is not None:
            raise _already_erased(petition.contact_erased_at)
        erased = await _erase(session, [petition.id], now, ActorRole.PETITIONER, notify)
        if not erased.petitions:
            raise _already_erased(None)
        set_committed_value(petition, "contact_erased_at", now)
        for column in ERASED_COLUMNS:
            set_committed_value(petition, column, None)
    await _after_erasure(writes, session, erased)
    return petition


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    retention_days: int,
    clock: Callable[[], datetime],
    *,
    batch: int = PURGE_BATCH,
    proceed: Callable[[], bool] = lambda: True,
    notify: Notify | None = None,
) -> int:
    """Erase the contact data of every petition due under `retention_days` (0: none), a
    batch a transaction, while `proceed()` holds; return how many were erased. `notify`
    queues what each CONTACT_ERASED event owes (its webhooks); None queues nothing."""
    if not 1 <= batch <= MAX_PURGE_BATCH:
        raise ValueError(f"a purge batch holds 1 to {MAX_PURGE_BATCH} petitions, not {batch}")
    cutoff = retention_cutoff(clock(), retention_days)
    if cutoff is None:
        return 0
    erased = 0
    after: tuple[datetime, int] | None = None
    while proceed():
        async with sessions() as session:
            async with writes.transaction(session):
                due = await erasure.due_for_erasure(session, cutoff, after, batch)
                done = await _erase(
                    session,
                    [petition.id for petition in due],
                    clock(),
                    ActorRole.SYSTEM,
                    notify,
                    cutoff,
                )
            forget_cached_documents(done.values)
            erased += len(done.petitions)
        if len(due) < batch:
            break
        after = (due[-1].submitted_at, due[-1].id)
    return erased


CHECKPOINT_WAIT_MS = 250
"""How long a checkpoint after an erasure waits for readers on an older snapshot: it holds
SQLite's write lock meanwhile, so the server's writers wait at most this long."""

BUSY_TIMEOUT_MS = 10_000
"""The connections' own `busy_timeout` (`db.engine`), restored after a checkpoint."""


async def checkpoint(session: AsyncSession, *, wait_ms: int | None = None) -> bool:
    """SQLite: copy the write-ahead log into the database file and truncate it, so erased
    bytes leave the log too; with `wait_ms`, give up after waiting that long for readers
    (the next checkpoint then does it). True when the log was emptied (always on
    PostgreSQL, where this is a no-op)."""
    if session.get_bind().dialect.name != "sqlite":
        return True
    if wait_ms is not None:
        await session.execute(text(f"PRAGMA busy_timeout = {int(wait_ms)}"))
    try:
        busy, _log, _moved = (await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
    except OperationalError:
        return False
    finally:
        if wait_ms is not None:
            await session.execute(text(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"))
    return bool(busy == 0)


async def checkpoint_after_erasure(writes: WriteGate, session: AsyncSession) -> bool:
    """SQLite: the checkpoint that moves an erasure's deleted bytes out of the log, behind
    the server's write gate (no writer of this process meets SQLite's lock) and waiting for
    readers `CHECKPOINT_WAIT_MS` at most. False when a reader kept it from completing."""
    if session.get_bind().dialect.name != "sqlite":
        return True
    async with writes.transaction(session):
        done = await checkpoint(session, wait_ms=CHECKPOINT_WAIT_MS)
    if not done:
        logger.warning("erasure: readers kept the checkpoint from emptying the write-ahead log")
    return done


async def _after_erasure(writes: WriteGate, session: AsyncSession, erased: Erased) -> None:
    """Once the erasure has committed: this worker's persisted-query memory drops the
    documents naming the erased values, and on SQLite a checkpoint empties the log."""
    forget_cached_documents(erased.values)
    if erased.petitions:
        await checkpoint_after_erasure(writes, session)
