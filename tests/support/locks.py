"""Locks held from another connection, to make a request wait for real: the write lock
(SQLite) or the petitions table (PostgreSQL, where reads wait too)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import asyncpg
from sqlalchemy.engine import make_url

from db.listener import asyncpg_dsn


@contextmanager
def writers_locked_out(database_url: str) -> Iterator[None]:
    """Another connection holds the write lock (SQLite) or locks the petitions table
    (PostgreSQL: reads wait too) for the length of the block."""
    if make_url(database_url).get_backend_name() == "sqlite":
        holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    loop = asyncio.new_event_loop()
    connection = loop.run_until_complete(asyncpg.connect(asyncpg_dsn(database_url)))
    try:
        transaction = connection.transaction()
        loop.run_until_complete(transaction.start())
        loop.run_until_complete(connection.execute("LOCK TABLE petitions IN ACCESS EXCLUSIVE MODE"))
        yield
        loop.run_until_complete(transaction.rollback())
    finally:
        loop.run_until_complete(connection.close())
        loop.close()


@asynccontextmanager
async def writers_locked_out_async(database_url: str) -> AsyncIterator[None]:
    """`writers_locked_out` for a test already running an event loop."""
    if make_url(database_url).get_backend_name() == "sqlite":
        with writers_locked_out(database_url):
            yield
        return
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        async with connection.transaction():
            await connection.execute("LOCK TABLE petitions IN ACCESS EXCLUSIVE MODE")
            yield
            raise _Release
    except _Release:
        pass
    finally:
        await connection.close()


class _Release(Exception):
    """Leaves the lock's transaction by rolling it back."""
