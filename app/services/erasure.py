"""Erasing a petitioner's contact data: on their request, or after the retention period.

What is erased: the `petitioner_contacts` row (name, e-mail, phone, address, organisation,
tax code) is deleted, and with it what was derived from the submission or the client
(`db.queries.erasure`). What stays: the public record (title, body, answers and their
seals, ratings, the history, the statistics) and the petitioner's secret, which keeps
working for rating and following up. Each erasure appends one public `CONTACT_ERASED`
event with no note (the actor PETITIONER or SYSTEM, the status unchanged) in its own
transaction; the petition's `version` does not change, so no officer's pending edit turns
stale.

The purge runs in batches of `PURGE_BATCH` petitions, one transaction each: a million
petitions never sit in one transaction, and a purge stopped halfway (a lost leadership, a
shutdown, a crash) leaves every batch either done or untouched; the next run picks up what
is still due. Erasing again is refused (`ALREADY_ERASED`), and the purge skips what is
erased, so running it twice changes nothing.

On SQLite the erasing connection runs with `secure_delete`, so the deleted row's bytes are
overwritten in the database file, not merely marked free; `checkpoint` then moves the
change out of the write-ahead log (`pakn privacy purge` runs it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from app.domain.retention import retention_cutoff
from app.domain.vocabulary import Action, ActorRole
from app.services import auth
from app.services.actions import invalid_secret
from app.services.outcome import UserErrors, problem
from db import event_log
from db.event_log import NewEvent
from db.models import Petition
from db.queries import erasure
from db.transactions import WriteGate

ALREADY_ERASED = "ALREADY_ERASED"
PURGE_BATCH = 500
"""Petitions erased per transaction by the purge."""

ERASED_COLUMNS = ("idempotency_key", "submission_fingerprint", "client_fingerprint")


async def _erase(
    session: AsyncSession,
    petition_id: int,
    status: str,
    agency_id: int | None,
    now: datetime,
    actor: ActorRole,
    cutoff: datetime | None = None,
) -> bool:
    """Erase one petition's contact data in the caller's transaction; False when another
    eraser got there first (or, with `cutoff`, the petition is no longer due)."""
    if session.bind.dialect.name == "sqlite":
        await session.execute(text("PRAGMA secure_delete = ON"))
    if not await erasure.claim(session, petition_id, now, cutoff=cutoff):
        return False
    values = await erasure.delete_contact(session, petition_id)
    await erasure.forget_documents_naming(session, values)
    await event_log.append(
        session,
        NewEvent(
            petition_id=petition_id,
            action=Action.CONTACT_ERASED.value,
            from_status=status,
            to_status=status,
            at=now,
            actor_role=actor.value,
            agency_id=agency_id,
        ),
    )
    return True


def _already_erased(erased_at: datetime | None) -> UserErrors:
    when = f" on {erased_at.isoformat(timespec='seconds')}" if erased_at else ""
    return UserErrors(
        problem(ALREADY_ERASED, f"The contact data was already erased{when}.", "trackingCode")
    )


async def erase_for_petitioner(
    writes: WriteGate, session: AsyncSession, tracking_code: str, secret: str, now: datetime
) -> Petition:
    """The petitioner's request, in its own transaction: the same INVALID_SECRET as every
    petitioner action for an unknown code or a wrong secret, ALREADY_ERASED the second
    time."""
    async with writes.transaction(session):
        petition = await auth.petition_of_petitioner(session, tracking_code, secret)
        if petition is None:
            raise invalid_secret()
        if petition.contact_erased_at is not None:
            raise _already_erased(petition.contact_erased_at)
        erased = await _erase(
            session, petition.id, petition.status, petition.agency_id, now, ActorRole.PETITIONER
        )
        if not erased:
            raise _already_erased(None)
        set_committed_value(petition, "contact_erased_at", now)
        for column in ERASED_COLUMNS:
            set_committed_value(petition, column, None)
        return petition


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    retention_days: int,
    clock: Callable[[], datetime],
    *,
    batch: int = PURGE_BATCH,
    proceed: Callable[[], bool] = lambda: True,
) -> int:
    """Erase the contact data of every petition due under `retention_days` (0: none), a
    batch a transaction, while `proceed()` holds; return how many were erased."""
    cutoff = retention_cutoff(clock(), retention_days)
    if cutoff is None:
        return 0
    erased = 0
    after: tuple[datetime, int] | None = None
    while proceed():
        async with sessions() as session:
            async with writes.transaction(session):
                due = await erasure.due_for_erasure(session, cutoff, after, batch)
                now = clock()
                done = 0
                for petition in due:
                    if await _erase(
                        session,
                        petition.id,
                        petition.status,
                        petition.agency_id,
                        now,
                        ActorRole.SYSTEM,
                        cutoff,
                    ):
                        done += 1
            erased += done
        if len(due) < batch:
            break
        after = (due[-1].submitted_at, due[-1].id)
    return erased


async def checkpoint(session: AsyncSession) -> None:
    """SQLite: copy the write-ahead log into the database file and truncate it, so erased
    bytes leave the log too (a no-op on PostgreSQL)."""
    if session.bind.dialect.name == "sqlite":
        await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
