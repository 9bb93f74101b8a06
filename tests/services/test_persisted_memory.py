"""A worker's memory of persisted documents after an erasure (review of #14, point 4): a
document spelling out an erased contact value leaves the table, and the erasing worker's
memory at once; another worker's memory serves it `MEMORY_SECONDS` at most, then reads
the table again and finds it gone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app.domain.retention import contact_due_for_erasure
from app.domain.timezone import now
from app.services import erasure
from app.services.persisted_queries import MEMORY_SECONDS, PersistedQueries, document_hash
from db.engine import is_sqlite, open_engine, session_factory
from db.models import PersistedQuery, PetitionerContact
from db.transactions import WriteGate
from tests.support.databases import prepared_database
from tests.support.demo import load_demo
from tests.support.erasure import read_petitions

RETENTION_DAYS = 120


@pytest.fixture
def demo(backend: str, tmp_path: Path) -> Iterator[str]:
    with prepared_database(backend, tmp_path) as url:
        asyncio.run(load_demo(url, 30, 5, prepare=False))
        yield url


def _store(url: str, engine_sessions: object, clock: object = None) -> PersistedQueries:
    options = {} if clock is None else {"clock": clock}
    return PersistedQueries(
        engine_sessions,  # type: ignore[arg-type]
        WriteGate(serialise=is_sqlite(url)),
        max_documents=100,
        max_bytes=1_000_000,
        **options,  # type: ignore[arg-type]
    )


async def _erased_by_the_purge_here(url: str) -> tuple[str | None, str | None, str | None]:
    moment = now()
    due = [
        ident
        for ident, p in (await read_petitions(url)).items()
        if contact_due_for_erasure(p.status, p.last_event_at, moment, RETENTION_DAYS)
    ]
    assert due
    async with open_engine(url) as engine:
        sessions = session_factory(engine)
        async with sessions() as session:
            email = await session.scalar(
                select(PetitionerContact.email).where(PetitionerContact.petition_id == due[0])
            )
        assert email
        document = f'query {{ petitions(search: "{email}") {{ totalCount }} }}'
        sha = document_hash(document)
        registering, reading = _store(url, sessions), _store(url, sessions)
        await registering.register(sha, document)
        assert await reading.find(sha) == document
        assert registering.cached(sha) == reading.cached(sha) == document

        await erasure.purge(sessions, WriteGate(serialise=is_sqlite(url)), RETENTION_DAYS, now)

        return registering.cached(sha), reading.cached(sha), await reading.find(sha)


def test_the_erasing_worker_forgets_the_documents_naming_erased_values(demo: str) -> None:
    assert asyncio.run(_erased_by_the_purge_here(demo)) == (None, None, None)


async def _gone_from_the_table_elsewhere(url: str) -> list[str | None]:
    clock = [1000.0]
    seen = []
    async with open_engine(url) as engine:
        sessions = session_factory(engine)
        store = _store(url, sessions, lambda: clock[0])
        document = 'query { petitions(search: "Trần Văn Mười Hai") { totalCount } }'
        sha = document_hash(document)
        await store.register(sha, document)
        async with sessions() as session, session.begin():  # another worker's erasure
            await session.execute(delete(PersistedQuery).where(PersistedQuery.sha256 == sha))
        seen.append(store.cached(sha))
        clock[0] += MEMORY_SECONDS + 1
        seen.append(store.cached(sha))
        seen.append(await store.find(sha))
    return seen


def test_another_workers_memory_serves_a_deleted_document_for_a_bounded_time(demo: str) -> None:
    held, after_the_bound, read_again = asyncio.run(_gone_from_the_table_elsewhere(demo))
    assert held is not None  # within MEMORY_SECONDS: still in this worker's memory
    assert after_the_bound is None and read_again is None
