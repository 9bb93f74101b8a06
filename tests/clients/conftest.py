"""A server of its own for each client test, on the session's lifecycle database (SQLite
and PostgreSQL), so that a test may restart it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from app.settings import Settings
from tests.clients.support import Live
from tests.support.server import RunningServer
from tests.support.workflow import Tokens, Workflow, make_tokens


@pytest.fixture(scope="session")
def client_tokens(lifecycle_database: str) -> Tokens:
    return asyncio.run(make_tokens(lifecycle_database))


@pytest.fixture
def live(lifecycle_database: str, client_tokens: Tokens) -> Iterator[Live]:
    settings = Settings(
        database_url=lifecycle_database,
        submissions_per_hour=100_000,
        secret_key="test-key",
        keep_alive_seconds=1,
    )
    server = RunningServer(settings).start()
    try:
        yield Live(server, Workflow(server, client_tokens))
    finally:
        server.stop()
