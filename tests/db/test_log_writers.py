"""Several writers at once never leave a gap or a reorder in the transparency log (#16,
point 1): on PostgreSQL, eight connections append events concurrently, each in its own
transaction (some rolled back); the leaves are then exactly the committed events, in id
order, each saying what its event says, and the tree is the RFC's over them."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import select

from app.demo import load_demo
from app.domain.log_entry import Blinded, parse_leaf
from app.domain.timezone import now
from db import event_log
from db.engine import create_engine, session_factory
from db.event_log import NewEvent
from db.models import LogEntry, Petition, PetitionEvent
from db.queries import log
from tests.domain import rfc9162
from tests.support.demo_rows import NOW
from tests.support.workflow import TEST_KEK

WRITERS = 8
EACH = 12


class Abandoned(Exception):
    """A writer's transaction given up after its append."""


async def test_concurrent_writers_leave_no_gap_and_no_reorder(
    empty_database: str, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("several writers need PostgreSQL; SQLite serves one writer at a time")
    engine = create_engine(empty_database, pool_size=WRITERS)
    try:
        await load_demo(engine, 6, 21, key_encryption_key=TEST_KEK, now=NOW)
        sessions = session_factory(engine)
        async with sessions() as session:
            petitions = list(await session.scalars(select(Petition.id)))
        rolled_back = 0

        async def writer(number: int) -> None:
            nonlocal rolled_back
            chance = random.Random(number)
            for step in range(EACH):
                try:
                    async with sessions() as session, session.begin():
                        await event_log.append(
                            session,
                            NewEvent(
                                petition_id=chance.choice(petitions),
                                action="PROGRESS_UPDATE",
                                from_status="IN_PROGRESS",
                                to_status="IN_PROGRESS",
                                at=now(),
                                actor_role="AGENCY_OFFICER",
                                note=f"writer {number}, step {step}",
                            ),
                        )
                        await asyncio.sleep(chance.random() / 100)
                        if step % 5 == 4:
                            raise Abandoned
                except Abandoned:
                    rolled_back += 1

        await asyncio.gather(*(writer(n) for n in range(WRITERS)))
        assert rolled_back > 0
        async with sessions() as session:
            events = list(await session.scalars(select(PetitionEvent).order_by(PetitionEvent.id)))
            leaves = list(await session.scalars(select(LogEntry).order_by(LogEntry.event_id)))
            assert [e.id for e in events] == list(range(1, len(events) + 1)), "no gap in ids"
            assert [leaf.event_id for leaf in leaves] == [e.id for e in events]
            entries = [bytes(leaf.entry) for leaf in leaves]
            for event, entry in zip(events, entries, strict=True):
                decoded = parse_leaf(entry)
                if isinstance(decoded, Blinded):  # an internal event of the demo's
                    assert not event.is_public and decoded.event_id == event.id
                    continue
                assert (decoded.event_id, decoded.action, decoded.at) == (
                    event.id,
                    event.action,
                    event.at,
                )
            written = sum(1 for e in events if e.note and e.note.startswith("writer "))
            assert written == WRITERS * EACH - rolled_back
            size = await log.tree_size(session)
            assert await log.root(session, size) == rfc9162.mth(entries)
    finally:
        await engine.dispose()
