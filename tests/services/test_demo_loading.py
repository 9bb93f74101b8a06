"""The demo loader, loading: the same seed gives the same rows, a second load appends and
continues the event chain, every required column is filled, and PostgreSQL's COPY stores
exactly what SQLite stores, also on the producer-process and drop-and-rebuild paths that
large loads take.

The same-seed test compares with the package's SQLite body of demo petitions
(tests/services/conftest.py); the PostgreSQL tests are skipped when no server answers.
What the loaded histories and texts hold is in test_demo_histories.py and
test_demo_text.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.demo import count_petitions, load_demo, postgres_loader
from app.demo.rows import TABLE_COLUMNS
from app.demo.spec import CHUNK
from db.bootstrap import prepare_database
from db.engine import create_engine, session_factory
from db.event_log import verify
from db.models import Petition, PetitionEvent
from tests.support.databases import fresh_database
from tests.support.demo_rows import NOW, PETITIONS, TABLES, _all, _loaded, _rows
from tests.support.workflow import TEST_KEK

# --- determinism -----------------------------------------------------------


async def test_same_seed_gives_the_same_rows(tmp_path: Path, engine: AsyncEngine) -> None:
    again = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/again.db", PETITIONS, 1)
    other = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/other.db", PETITIONS, 2)
    try:
        for table in TABLES:
            assert await _rows(again, table) == await _rows(engine, table), table.name
        titles = [row[5] for row in await _rows(other, Petition.__table__)]
        assert titles != [row[5] for row in await _rows(engine, Petition.__table__)]
    finally:
        await again.dispose()
        await other.dispose()


async def test_a_second_load_appends_and_continues_the_chain(tmp_path: Path) -> None:
    engine = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/twice.db", 120, 5)
    try:
        assert await load_demo(engine, 80, 6, key_encryption_key=TEST_KEK, now=NOW) == 80
        assert await count_petitions(engine) == 200
        petitions = await _all(engine, Petition)
        assert [p.id for p in petitions] == list(range(1, 201))
        assert len({p.tracking_code for p in petitions}) == 200
        events = await _all(engine, PetitionEvent)
        assert [e.id for e in events] == list(range(1, len(events) + 1))
        async with session_factory(engine)() as session:
            assert await verify(session) == (len(events), None)
    finally:
        await engine.dispose()


# --- the rows the loader writes --------------------------------------------


def test_every_required_column_is_filled() -> None:
    for table in TABLES:
        filled = set(TABLE_COLUMNS[table.name])
        assert filled <= set(table.columns.keys())
        required = {
            column.name
            for column in table.columns
            if not column.nullable and column.server_default is None
        }
        assert required <= filled, table.name


# --- PostgreSQL stores what SQLite stores ----------------------------------


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path) as url:
        yield url


async def _same_rows(first: AsyncEngine, second: AsyncEngine) -> None:
    for table in TABLES:
        assert await _rows(first, table) == await _rows(second, table), table.name


async def test_postgresql_copy_matches_sqlite(tmp_path: Path, postgres_url: str) -> None:
    sqlite = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/s.db", 300, 4)
    postgres = await _loaded(postgres_url, 300, 4)
    try:
        await _same_rows(sqlite, postgres)
        async with session_factory(postgres)() as session:
            assert (await verify(session))[1] is None
    finally:
        await sqlite.dispose()
        await postgres.dispose()


async def test_postgresql_bulk_path_rebuilds_what_it_dropped(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_loader, "PARALLEL_MIN", 1)
    monkeypatch.setattr(postgres_loader, "BULK_MIN", 1)
    count = 2 * CHUNK + 100
    await prepare_database(postgres_url)
    postgres = create_engine(postgres_url)
    sqlite = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/s.db", count, 9)
    try:
        before = await _schema(postgres)
        assert await load_demo(postgres, count, 9, key_encryption_key=TEST_KEK, now=NOW) == count
        assert await _schema(postgres) == before
        await _same_rows(sqlite, postgres)
        async with postgres.connect() as conn:
            next_id = await conn.scalar(text("SELECT nextval('petition_events_id_seq')"))
            assert next_id == await conn.scalar(text("SELECT max(id) + 1 FROM petition_events"))
    finally:
        await sqlite.dispose()
        await postgres.dispose()


async def _schema(engine: AsyncEngine) -> set[tuple[str, ...]]:
    async with engine.connect() as conn:
        indexes = await conn.execute(text("SELECT indexname, indexdef FROM pg_indexes"))
        constraints = await conn.execute(
            text("SELECT conname, pg_get_constraintdef(oid), convalidated::text FROM pg_constraint")
        )
        return {tuple(row) for row in indexes} | {tuple(row) for row in constraints}
