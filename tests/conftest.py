"""Shared fixtures: each database-backed fixture runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.settings import Settings
from db.bootstrap import prepare_database
from db.engine import create_engine
from tests.databases import BACKENDS, fresh_database
from tests.lifecycle_support import Workflow, make_tokens
from tests.server import RunningServer

DEMO_PETITIONS = 240
DEMO_SEED = 7


async def _load_demo(url: str, petitions: int, seed: int) -> None:
    from app.demo import load_demo

    await prepare_database(url)
    engine = create_engine(url)
    try:
        await load_demo(engine, petitions, seed, now=datetime.now(UTC))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def demo_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database holding reference data and a fixed body of demo petitions; read-only."""
    with fresh_database(backend, tmp_path_factory.mktemp("demo")) as url:
        asyncio.run(_load_demo(url, DEMO_PETITIONS, DEMO_SEED))
        yield url


@pytest.fixture(scope="session")
def demo_server(demo_database: str) -> Iterator[RunningServer]:
    # The feed would poll through the same engine and skew statement counts; nothing is
    # written here, so it need not poll.
    settings = Settings(database_url=demo_database, feed_poll_seconds=3600)
    server = RunningServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def empty_database(backend: str, tmp_path: object) -> Iterator[str]:
    """A fresh, migrated database with reference data and no petitions."""
    from pathlib import Path

    with fresh_database(backend, Path(str(tmp_path))) as url:
        asyncio.run(prepare_database(url))
        yield url


@pytest.fixture(scope="session")
def lifecycle_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database (reference data only) that the lifecycle tests write to."""
    with fresh_database(backend, tmp_path_factory.mktemp("lifecycle")) as url:
        asyncio.run(prepare_database(url))
        yield url


@pytest.fixture(scope="session")
def workflow(lifecycle_database: str) -> Iterator[Workflow]:
    tokens = asyncio.run(make_tokens(lifecycle_database))
    settings = Settings(
        database_url=lifecycle_database, submissions_per_hour=10_000, secret_key="test-key"
    )
    server = RunningServer(settings).start()
    yield Workflow(server, tokens)
    server.stop()
