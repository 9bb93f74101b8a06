"""The demo loader's output read back, for the demo tests in tests/services: a body loaded
at a fixed `NOW`, a table's rows in key order without the columns that depend on a
database's own agency keys, and a model's rows in key order.

The helpers keep the names they had in the single demo test module they came from, so
that the tests read as they did."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.demo import load_demo
from db.bootstrap import prepare_database
from db.engine import create_engine, session_factory
from db.models import Answer, Assignment, Petition, PetitionerContact, PetitionEvent, Rating
from tests.support.workflow import TEST_KEK

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
PETITIONS = 500
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Petition, PetitionerContact, Assignment, Answer, Rating, PetitionEvent)
)


async def _loaded(url: str, petitions: int, seed: int) -> AsyncEngine:
    """An engine on `url`, migrated and seeded, holding `petitions` demo petitions of
    `seed` loaded at `NOW`; the caller disposes of it."""
    await prepare_database(url)
    engine = create_engine(url)
    assert (
        await load_demo(engine, petitions, seed, key_encryption_key=TEST_KEK, now=NOW) == petitions
    )
    return engine


KEY_DEPENDENT = {"signature", "key_id"}
"""Answer columns that depend on the database's own (random) agency keys."""


async def _rows(engine: AsyncEngine, table: Table) -> list[tuple[Any, ...]]:
    """`table`'s rows in key order, without the `KEY_DEPENDENT` columns."""
    columns = [c for c in table.columns if c.name not in KEY_DEPENDENT]
    async with engine.connect() as conn:
        result = await conn.execute(select(*columns).order_by(*table.primary_key.columns))
        return [tuple(row) for row in result]


async def _all(engine: AsyncEngine, model: Any) -> list[Any]:
    """Every `model` row, in key order."""
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(model).order_by(*model.__table__.primary_key)))
