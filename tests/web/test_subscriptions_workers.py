"""Several workers on PostgreSQL share one feed through LISTEN/NOTIFY, and survive the
loss of the listening connection. (SQLite serves a single worker, so these are
PostgreSQL-only.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import asyncpg
import pytest

from db.listener import APPLICATION_NAME, asyncpg_dsn
from tests.support.server import HttpServer
from tests.support.workflow import Tokens, Workflow, serving_workflow
from tests.support.ws_client import GraphQLSocket, submit_petitions, tracking_codes


@pytest.fixture
def two_workers(
    backend: str, lifecycle_database: str, lifecycle_tokens: Tokens
) -> Iterator[tuple[Workflow, Workflow]]:
    if backend != "postgresql":
        pytest.skip("several workers need PostgreSQL; SQLite serves one worker")
    with (
        serving_workflow(lifecycle_database, lifecycle_tokens, feed_poll_seconds=3600) as first,
        serving_workflow(lifecycle_database, lifecycle_tokens, feed_poll_seconds=3600) as second,
    ):
        yield first, second


async def test_subscribers_on_both_workers_see_writes_through_either(
    two_workers: tuple[Workflow, Workflow],
) -> None:
    one, two = two_workers
    async with GraphQLSocket(one.server.url) as on_one, GraphQLSocket(two.server.url) as on_two:
        await on_one.subscribe()
        await on_two.subscribe()
        await asyncio.sleep(0.3)
        written = (
            await submit_petitions(one, 2)
            + await submit_petitions(two, 2)
            + await submit_petitions(one, 1)
        )
        assert tracking_codes(await on_one.events(5)) == written
        assert tracking_codes(await on_two.events(5)) == written


def _wait_until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    """Poll a condition on the server thread's state (its events live on another loop)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


async def _terminate_listeners(database_url: str) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return len(
            await connection.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = $1 AND datname = current_database()",
                APPLICATION_NAME,
            )
        )
    finally:
        await connection.close()


async def test_a_dropped_listener_reconnects_and_loses_nothing(
    two_workers: tuple[Workflow, Workflow], lifecycle_database: str
) -> None:
    one, two = two_workers
    listener = one.server.starlette.state.listener
    async with GraphQLSocket(one.server.url) as socket:
        await socket.subscribe()
        await asyncio.sleep(0.3)
        before = await submit_petitions(two, 2)
        assert tracking_codes(await socket.events(2)) == before
        assert await _terminate_listeners(lifecycle_database) >= 2
        during = await submit_petitions(two, 3)
        reconnected = await asyncio.to_thread(_wait_until, lambda: listener.connections_made >= 2)
        assert reconnected, "the listener reconnected"
        after = await submit_petitions(two, 2)
        assert tracking_codes(await socket.events(5)) == during + after
        assert await socket.nothing_within(0.5)


async def test_pakn_serve_with_two_workers_shares_subscriptions(
    pakn_serve_two_workers: str, lifecycle_tokens: Tokens
) -> None:
    url = pakn_serve_two_workers
    writer = Workflow(HttpServer(url), lifecycle_tokens)
    sockets = [GraphQLSocket(url) for _ in range(6)]
    for socket in sockets:
        await socket.__aenter__()
        await socket.subscribe()
    await asyncio.sleep(0.5)
    written = await submit_petitions(writer, 4)
    for socket in sockets:
        assert tracking_codes(await socket.events(4)) == written
        await socket.__aexit__(None, None, None)
    writer.server.client.close()
