"""The append-only petition event log, chained by SHA-256 (see `app.domain.chain`), each
event also a leaf of the transparency log (`db.log_leaves`), in the same transaction.

Appending takes the chain lock for the rest of the transaction, so events get ids and
hashes in commit order: on PostgreSQL a transaction-scoped advisory lock, which also orders
writers in different workers and hosts; on SQLite the database's single writer (pakn runs
one process on SQLite and serialises its writes; see `db.transactions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.chain import GENESIS, BrokenLink, EventContent, event_hash, verify_chain
from db import log_leaves
from db.models import PetitionEvent

NOTIFY_CHANNEL = "pakn_events"
"""Where writers announce new events; PostgreSQL delivers it only when they commit."""

CHAIN_LOCK_KEY = 7_242_016
"""Arbitrary, fixed key of PostgreSQL's advisory lock that orders event appends."""


@dataclass(frozen=True)
class NewEvent:
    petition_id: int
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    actor_role: str
    agency_id: int | None = None
    note: str | None = None
    is_public: bool = True


async def lock_chain(session: AsyncSession) -> None:
    """Hold the chain lock until the transaction ends (PostgreSQL; a no-op on SQLite)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def content_of(event: PetitionEvent) -> EventContent:
    return EventContent(
        id=event.id,
        petition_id=event.petition_id,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        at=event.at,
        actor_role=event.actor_role,
        agency_id=event.agency_id,
        note=event.note,
        is_public=event.is_public,
    )


async def append(session: AsyncSession, new: NewEvent) -> PetitionEvent:
    """Add one event at the end of the chain, and its leaf to the transparency log, in the
    session's transaction."""
    event = await append_to_chain(session, new)
    await session.run_sync(lambda sync: log_leaves.extend(sync.connection()))
    return event


async def append_to_chain(session: AsyncSession, new: NewEvent) -> PetitionEvent:
    """The chain's part of `append`: the event hashed onto the chain, without its leaf (as
    pakn wrote events before migration 0014)."""
    await lock_chain(session)
    last = (
        await session.execute(
            select(PetitionEvent.id, PetitionEvent.hash).order_by(PetitionEvent.id.desc()).limit(1)
        )
    ).first()
    event = PetitionEvent(
        id=(last.id + 1) if last else 1,
        petition_id=new.petition_id,
        action=new.action,
        from_status=new.from_status,
        to_status=new.to_status,
        at=new.at,
        actor_role=new.actor_role,
        agency_id=new.agency_id,
        note=new.note,
        is_public=new.is_public,
        previous_hash=(last.hash if last and last.hash else GENESIS),
    )
    event.hash = event_hash(content_of(event), event.previous_hash or GENESIS)
    session.add(event)
    await session.flush()
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    return event


async def verify(session: AsyncSession, batch: int = 20_000) -> tuple[int, BrokenLink | None]:
    """Check the whole chain in id order, a batch at a time; return how many events were
    read and the first broken link, if any."""
    count = 0
    previous, after = GENESIS, 0
    while True:
        statement = (
            select(PetitionEvent)
            .where(PetitionEvent.id > after)
            .order_by(PetitionEvent.id)
            .limit(batch)
        )
        rows = list(await session.scalars(statement))
        if not rows:
            return count, None
        links = [(content_of(row), row.previous_hash or "", row.hash or "") for row in rows]
        broken = verify_chain(links, previous)
        if broken is not None:
            return count, broken
        count += len(rows)
        previous, after = rows[-1].hash or "", rows[-1].id
        session.expunge_all()
