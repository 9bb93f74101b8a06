"""Shared fixtures: each database-backed fixture runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest

from app.settings import Settings
from db.bootstrap import prepare_database
from db.engine import create_engine
from tests.support.databases import BACKENDS, fresh_database
from tests.support.server import RunningServer, free_port
from tests.support.workflow import Workflow, make_tokens

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


def _wait_for_health(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("pakn serve did not come up")


@contextmanager
def pakn_serve(database_url: str, workers: int = 1) -> Iterator[str]:
    """`pakn serve` as a real subprocess on a free port; yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        "PAKN_DATABASE_URL": database_url,
        "PAKN_SUBMISSIONS_PER_HOUR": "100000",
        "PAKN_SECRET_KEY": "test-key",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def pakn_serve_two_workers(backend: str, lifecycle_database: str) -> Iterator[str]:
    """`pakn serve --workers 2` as a real subprocess; yields its URL."""
    if backend != "postgresql":
        pytest.skip("several workers need PostgreSQL; SQLite serves one worker")
    with pakn_serve(lifecycle_database, workers=2) as url:
        yield url
