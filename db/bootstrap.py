"""Bring a database to a servable state: migrated and holding reference data."""

from __future__ import annotations

import asyncio

from db.engine import create_engine, session_factory
from db.migrate import upgrade
from db.seed import seed_reference_data


async def seed(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            await seed_reference_data(session)
    finally:
        await engine.dispose()


async def prepare_database(database_url: str) -> None:
    """Migrate (in a worker thread, since Alembic runs its own loop) and seed."""
    await asyncio.to_thread(upgrade, database_url)
    await seed(database_url)
