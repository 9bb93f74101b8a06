"""Real databases for tests: a fresh SQLite file or a fresh PostgreSQL database.

PostgreSQL comes from PAKN_TEST_POSTGRES_URL (default: the local server as user postgres).
When no server answers, PostgreSQL tests are skipped with a message, except under CI=true,
where they fail: CI must run every database test on both databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def postgres_base_url() -> str:
    return os.environ.get("PAKN_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _run_admin(statement: str) -> None:
    import asyncio

    import asyncpg

    url = make_url(postgres_base_url())

    async def run() -> None:
        connection = await asyncpg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password,
            database=url.database or "postgres",
            timeout=5,
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def require_postgres() -> None:
    try:
        _run_admin("SELECT 1")
    except Exception as exc:
        message = f"PostgreSQL not reachable at {postgres_base_url()}: {exc!r}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: PostgreSQL tests must run)")
        pytest.skip(f"{message}; set PAKN_TEST_POSTGRES_URL or start PostgreSQL")


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database of `backend`; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'pakn-{uuid.uuid4().hex[:8]}.db'}"
        return
    require_postgres()
    base = make_url(postgres_base_url())
    name = f"{base.database or 'pakn'}_{uuid.uuid4().hex[:10]}"
    _run_admin(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def prepared_database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh database of `backend`, migrated and holding reference data (no petitions)."""
    import asyncio

    from db.bootstrap import prepare_database

    with fresh_database(backend, folder) as url:
        asyncio.run(prepare_database(url))
        yield url


def pg_value(database_url: str, statement: str) -> Any:
    """The first value of `statement`, run on a connection of its own (a test's look at
    the server's `pg_stat_activity`, or its hand on it: `pg_terminate_backend`)."""
    import asyncio

    import asyncpg

    from db.listener import asyncpg_dsn

    async def run() -> Any:
        connection = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            return await connection.fetchval(statement)
        finally:
            await connection.close()

    return asyncio.run(run())
