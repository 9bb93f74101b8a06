"""A purge batch and petitioners writing on its petitions at the same moment (review of #14,
point 4): the batch takes its row locks first and the chain lock last, as every writer does,
so on PostgreSQL neither deadlocks. A writer holding one of the batch's rows (and about to
take the chain lock) is waited for; the petition it wrote is then no longer due and keeps its
contact data; the rest of the batch is erased, each once, and the chain still verifies."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text, update

from app.domain.retention import retention_cutoff
from app.domain.timezone import now
from app.domain.vocabulary import Action, ActorRole
from app.services import erasure
from db import event_log
from db.engine import open_engine, session_factory
from db.event_log import NewEvent
from db.models import Petition
from db.queries.erasure import due_for_erasure
from db.transactions import WriteGate
from tests.support.cli import pakn
from tests.support.databases import prepared_database
from tests.support.demo import load_demo
from tests.support.erasure import erasure_events, read_petitions
from tests.support.workflow import TEST_KEY

RETENTION_DAYS = 120
BOUND_SECONDS = 30.0
"""A bound, not a measurement: a deadlock would show as PostgreSQL's 40P01 within a second."""


@pytest.fixture
def postgres_demo(tmp_path: Path) -> Iterator[str]:
    with prepared_database("postgresql", tmp_path) as url:
        asyncio.run(load_demo(url, 60, 5, prepare=False))
        yield url


async def _waiting_for_a_lock(url: str) -> bool:
    async with open_engine(url) as engine, engine.connect() as connection:
        waiting = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND query NOT ILIKE '%pg_stat_activity%'"
            )
        )
        return bool(waiting)


async def _purge_while_a_petitioner_writes(url: str) -> tuple[int, int, list[int]]:
    cutoff = retention_cutoff(now(), RETENTION_DAYS)
    assert cutoff is not None
    async with open_engine(url) as engine:
        sessions = session_factory(engine)
        async with sessions() as session:
            due = [petition.id for petition in await due_for_erasure(session, cutoff, None, 500)]
        assert len(due) >= 3, "the demo should hold petitions due"
        written = due[len(due) // 2]  # erased after others in the old order: the deadlock

        writer_holds_row = asyncio.Event()
        go_on = asyncio.Event()

        async def petitioner() -> None:
            """What `app.services.transitions.apply` does: the petition's row, then the chain."""
            async with sessions() as session, session.begin():
                await session.execute(
                    update(Petition)
                    .where(Petition.id == written)
                    .values(version=Petition.version + 1)
                    .execution_options(synchronize_session=False)
                )
                writer_holds_row.set()
                await go_on.wait()
                status = await session.scalar(
                    text("SELECT status FROM petitions WHERE id = :id"), {"id": written}
                )
                await event_log.append(
                    session,
                    NewEvent(
                        petition_id=written,
                        action=Action.FOLLOW_UP.value,
                        from_status=status,
                        to_status=status,
                        at=now(),
                        actor_role=ActorRole.PETITIONER.value,
                        note="Vẫn chưa được giải quyết.",
                    ),
                )

        writing = asyncio.create_task(petitioner())
        await asyncio.wait_for(writer_holds_row.wait(), BOUND_SECONDS)
        purging = asyncio.create_task(
            erasure.purge(sessions, WriteGate(serialise=False), RETENTION_DAYS, now)
        )
        deadline = time.monotonic() + BOUND_SECONDS
        while not await _waiting_for_a_lock(url):
            assert not purging.done(), purging
            assert time.monotonic() < deadline, "the purge never met the petitioner's row lock"
            await asyncio.sleep(0.02)
        go_on.set()
        await asyncio.wait_for(writing, BOUND_SECONDS)
        erased = await asyncio.wait_for(purging, BOUND_SECONDS)
    return erased, written, due


def test_a_purge_batch_and_a_petitioner_writing_on_it_both_complete(postgres_demo: str) -> None:
    erased, written, due = asyncio.run(_purge_while_a_petitioner_writes(postgres_demo))

    after = asyncio.run(read_petitions(postgres_demo))
    assert after[written].has_contact and after[written].erased_at is None
    erased_ids = {ident for ident, petition in after.items() if not petition.has_contact}
    assert erased_ids == set(due) - {written}
    assert erased == len(erased_ids)
    events = asyncio.run(erasure_events(postgres_demo))
    assert sorted(event[0] for event in events) == sorted(erased_ids)
    done = pakn(
        "audit",
        "verify",
        database_url=postgres_demo,
        environment={**os.environ, "PAKN_SECRET_KEY": TEST_KEY},
    )
    assert done.returncode == 0, done.stdout + done.stderr
