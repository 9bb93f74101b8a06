"""Shared fixtures: each database-backed fixture runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import Settings
from tests.support.cli import pakn_serve
from tests.support.databases import BACKENDS, fresh_database, prepared_database
from tests.support.demo import DEMO_PETITIONS, DEMO_SEED, load_demo
from tests.support.server import RunningServer
from tests.support.workflow import TEST_KEY, Tokens, Workflow, make_tokens, serving_workflow

os.environ["PAKN_SECRET_KEY"] = TEST_KEY
for _variable in ("PAKN_SECRET_KEY_FILE", "PAKN_KEY_ENCRYPTION_KEY"):
    os.environ.pop(_variable, None)
"""Every `pakn` the tests run, in this process or a child, has the tests' secret key: none
reads, makes or moves a key file of the developer's (./.pakn-secret-key) or uses their key
encryption key. Tests of the key file itself unset PAKN_SECRET_KEY in a folder of their own."""


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def demo_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database holding reference data and a fixed body of demo petitions; read-only."""
    with fresh_database(backend, tmp_path_factory.mktemp("demo")) as url:
        asyncio.run(load_demo(url, DEMO_PETITIONS, DEMO_SEED))
        yield url


@pytest.fixture(scope="session")
def demo_server(demo_database: str) -> Iterator[RunningServer]:
    # The feed would poll through the same engine and skew statement counts; nothing is
    # written here, so it need not poll. The documents here select every field, which
    # multiplies every list: the cost limit is off (tests/api/test_query_cost.py tests it).
    # Every test of the session reads from here, from one address: no read limit either
    # (tests/web/test_read_rate.py tests it).
    settings = Settings(
        database_url=demo_database, feed_poll_seconds=3600, max_query_cost=0, read_rate=0
    )
    with RunningServer(settings) as server:
        yield server


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database with reference data and no petitions."""
    with prepared_database(backend, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def lifecycle_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database (reference data only) that the lifecycle tests write to."""
    with prepared_database(backend, tmp_path_factory.mktemp("lifecycle")) as url:
        yield url


@pytest.fixture(scope="session")
def lifecycle_tokens(lifecycle_database: str) -> Tokens:
    """Officers' tokens on the lifecycle database: the coordinator, BTC's and BYT's
    officers, an admin."""
    return asyncio.run(make_tokens(lifecycle_database))


@pytest.fixture(scope="session")
def workflow(lifecycle_database: str, lifecycle_tokens: Tokens) -> Iterator[Workflow]:
    with serving_workflow(lifecycle_database, lifecycle_tokens) as driven:
        yield driven


@pytest.fixture
def pakn_serve_two_workers(backend: str, lifecycle_database: str) -> Iterator[str]:
    """`pakn serve --workers 2` as a real subprocess; yields its URL."""
    if backend != "postgresql":
        pytest.skip("several workers need PostgreSQL; SQLite serves one worker")
    with pakn_serve(lifecycle_database, workers=2) as url:
        yield url
