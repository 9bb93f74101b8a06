"""When PostgreSQL drops the service's connections (a restart, an administrator's
`pg_terminate_backend`), the next requests are answered on fresh connections: no client
sees the loss, on the general path or the compiled one."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.settings import Settings
from tests.support.databases import pg_value
from tests.support.server import RunningServer, compiled_answers

COMPILED = """{ petitions(first: 5, orderBy: {field: SUBMITTED_AT, direction: DESC}) {
  edges { node { trackingCode agency { code } } } } }"""
GENERAL = "{ stats(filter: {channel: BUSINESS}) { totals { received overdueOpen } } }"


@pytest.fixture
def pg_server(backend: str, demo_database: str) -> Iterator[RunningServer]:
    if backend != "postgresql":
        pytest.skip("SQLite is a file: there is no server to drop a connection")
    with RunningServer(Settings(database_url=demo_database, feed_poll_seconds=3600)) as server:
        yield server


def _terminate_pooled_connections(database_url: str) -> int:
    """Every connection to the database but this one and the event listener's: when the
    listener reconnects it wakes the event pump, whose failing read would retire the dead
    pool before any request could meet it."""

    terminated = pg_value(
        database_url,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND query NOT LIKE 'LISTEN %'",
    )
    return int(terminated)


@pytest.mark.parametrize("first", [GENERAL, COMPILED], ids=["general-first", "compiled-first"])
def test_requests_after_the_database_drops_every_connection_succeed(
    pg_server: RunningServer, demo_database: str, first: str
) -> None:
    for _ in range(3):  # the second run of COMPILED takes the compiled path
        for query in (COMPILED, GENERAL):
            assert "errors" not in pg_server.post(query).json()
    answered = compiled_answers(pg_server)
    assert answered > 0

    assert _terminate_pooled_connections(demo_database) > 0
    time.sleep(0.3)  # a restart takes longer; the server's loop reads the closed sockets

    second = COMPILED if first == GENERAL else GENERAL
    for query in (first, second, first, second):
        response = pg_server.post(query)
        assert response.status_code == 200
        assert "errors" not in response.json(), response.json()
    assert compiled_answers(pg_server) == answered + 2, "the compiled path fell back"
