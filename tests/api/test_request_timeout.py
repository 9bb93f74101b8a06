"""PAKN_REQUEST_TIMEOUT: an operation that runs past it, over HTTP or as a socket's query
or mutation, is cancelled with REQUEST_TIMEOUT: its statement is not left running, its
connection goes back to the pool, and nothing it meant to write is written. Subscriptions
and exports are not cut by it. A lock held from another connection makes the wait real."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import httpx
import pytest

from db.listener import APPLICATION_NAME, asyncpg_dsn
from tests.support.locks import writers_locked_out, writers_locked_out_async
from tests.support.server import RunningServer
from tests.support.workflow import (
    SUBMIT,
    Tokens,
    Workflow,
    count_events,
    serving_workflow,
    submission,
    workflow_settings,
)
from tests.support.ws_client import GraphQLSocket, submit_petitions, tracking_codes

TIMEOUT = 0.5
COUNT = "{ petitions(first: 3) { totalCount } }"


@pytest.fixture
def impatient(lifecycle_database: str, lifecycle_tokens: Tokens) -> Iterator[Workflow]:
    """The feed polls rarely: its own read of new events would wait on the lock too."""
    settings = workflow_settings(
        lifecycle_database, request_timeout_seconds=TIMEOUT, feed_poll_seconds=3600
    )
    with RunningServer(settings) as server:
        yield Workflow(server, lifecycle_tokens)


async def _statements_still_running(database_url: str) -> list[str]:
    """Statements of the server's connections still active (the lock holder's and this
    query's own, and the event listener, left out). The event feed's read of new events is
    left out too: the listener wakes the feed whenever it connects, and that read waits on
    the lock as well, for as long as the lock is held, without being the operation's. It is
    known by its columns, events with their petition joined, as pg_stat_activity keeps only
    a statement's first kilobyte (no FROM or WHERE of so long a select list)."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid() "
            "AND application_name <> $1 AND query NOT LIKE 'LOCK TABLE%' "
            "AND query NOT LIKE 'SELECT petition_events.id, %, petitions_1.id AS id_1, %'",
            APPLICATION_NAME,
        )
        return [row["query"] for row in rows]
    finally:
        await connection.close()


def _wait_for_the_pool(server: RunningServer, seconds: float = 10) -> int:
    deadline = time.monotonic() + seconds
    while server.engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)
    return int(server.engine.pool.checkedout())


def _timed_out(payload: dict[str, object]) -> bool:
    errors = payload.get("errors") or []
    return [e["extensions"]["code"] for e in errors] == ["REQUEST_TIMEOUT"]  # type: ignore[index]


def _slow_operation(backend: str) -> tuple[str, dict[str, object]]:
    """What waits on the lock: on PostgreSQL any read of petitions, on SQLite a write."""
    if backend == "postgresql":
        return COUNT, {}
    return SUBMIT, {"input": submission()}


def test_an_http_operation_past_the_timeout_is_cancelled_cleanly(
    impatient: Workflow, lifecycle_database: str, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = impatient.server
    query, variables = _slow_operation(backend)
    events = count_events(lifecycle_database)
    with writers_locked_out(lifecycle_database):
        response = server.post(query, variables)
        assert response.status_code == 200
        assert _timed_out(response.json()), response.json()
        assert response.headers["cache-control"] == "private, no-store"
        if backend == "postgresql":
            running = asyncio.run(_statements_still_running(lifecycle_database))
            assert running == [], "the cancelled statement is not left running"
    assert _wait_for_the_pool(server) == 0, "the connection went back to the pool"
    assert "errors" not in server.post(COUNT).json(), "the service answers again"
    assert count_events(lifecycle_database) == events, "the cancelled submission wrote nothing"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], "a stopped statement is no error in the log"


@pytest.mark.parametrize("legacy", [False, True], ids=["graphql-transport-ws", "graphql-ws"])
async def test_a_socket_operation_past_the_timeout_is_cancelled(
    impatient: Workflow, lifecycle_database: str, backend: str, legacy: bool
) -> None:
    query, variables = _slow_operation(backend)
    async with GraphQLSocket(impatient.server.url, legacy=legacy) as socket:
        async with writers_locked_out_async(lifecycle_database):
            reply = await socket.operation(query, variables)
        assert _timed_out(reply["payload"]), reply
        assert (await socket.operation(COUNT))["payload"]["data"], "the socket goes on"


async def test_a_subscription_outlives_the_request_timeout(
    lifecycle_database: str, lifecycle_tokens: Tokens
) -> None:
    with serving_workflow(
        lifecycle_database, lifecycle_tokens, request_timeout_seconds=TIMEOUT, feed_poll_seconds=0.5
    ) as workflow:
        async with GraphQLSocket(workflow.server.url) as socket:
            await socket.subscribe()
            assert await socket.nothing_within(TIMEOUT * 3)
            codes = await submit_petitions(workflow, 1)
            assert tracking_codes(await socket.events(1)) == codes


def test_an_export_outlives_the_request_timeout(
    impatient: Workflow, lifecycle_database: str, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("on SQLite reads do not wait for a writer: nothing makes an export slow")
    impatient.submit()
    url = impatient.server.url + "/export/petitions.csv"
    with ThreadPoolExecutor(1) as pool:
        with writers_locked_out(lifecycle_database):
            export = pool.submit(httpx.get, url, timeout=30)
            time.sleep(TIMEOUT * 3)
            assert not export.done(), "the export waits for the lock, past the timeout"
        response = export.result()
    assert response.status_code == 200
    assert len(response.text.splitlines()) > 1
