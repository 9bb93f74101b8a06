"""The PostgreSQL databases the benchmarks make, load, query and drop.

PAKN_BENCH_POSTGRES names the server's maintenance database (trust auth is assumed);
by default the local one.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

ADMIN_DSN = os.environ.get("PAKN_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str) -> str:
    """pakn's (SQLAlchemy) URL of database `name` on the benchmark's server."""
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


def asyncpg_dsn(url: str) -> str:
    """The DSN asyncpg takes for a SQLAlchemy `postgresql+asyncpg://` URL."""
    # imported when called: the subscribers' load generator imports this module, and its
    # memory is one of the figures (the floor's workers call it, as they always have)
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def connect(dsn: str = ADMIN_DSN) -> AsyncIterator[asyncpg.Connection]:
    """One asyncpg connection for the length of the block (the maintenance database by
    default), closed however the block ends."""
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        yield connection
    finally:
        await connection.close()


async def _admin(statement: str) -> None:
    async with connect() as connection:
        await connection.execute(statement)


def create_database(name: str) -> str:
    """Create an empty database; its pakn URL."""
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return database_url(name)


def drop_database(name: str) -> None:
    """Drop a database, ending whatever sessions it still has."""
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
