"""Alembic environment: runs migrations on an async engine (aiosqlite or asyncpg)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import is_sqlite, make_sqlite_file_private
from db.models import Base

config = context.config
target_metadata = Base.metadata


def _include_object(
    obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave out of autogenerate the indexes made by hand: search (FTS5 tables and a GIN
    expression index, 0001), descending orders (0004) and open deadlines (partial, 0005)."""
    return not (name or "").startswith(
        ("petition_search", "ix_petitions_search", "ix_petitions_order_", "ix_petitions_open_due")
    )


MIGRATION_LOCK_KEY = 7_242_020
"""PostgreSQL's advisory lock that one migration run holds for its transaction: hosts
that start at once (`pakn serve` migrates) upgrade one after the other, and the second
finds nothing left to do, instead of racing the same DDL. (A single-integer key, apart
from the event chain's and the jobs' two-integer ones.)"""


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    if is_sqlite(url):
        make_sqlite_file_private(url)
    engine = create_async_engine(url, poolclass=NullPool, hide_parameters=True)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
