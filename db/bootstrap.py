"""Bring a database to a servable state: migrated and holding reference data."""

from __future__ import annotations

import asyncio

from db.engine import open_engine, session_factory
from db.migrate import upgrade
from db.seed import seed_reference_data


async def seed(database_url: str) -> None:
    async with open_engine(database_url) as engine, session_factory(engine)() as session:
        await seed_reference_data(session)


async def prepare_database(database_url: str) -> None:
    """Migrate (in a worker thread, since Alembic runs its own loop) and seed."""
    await asyncio.to_thread(upgrade, database_url)
    await seed(database_url)
