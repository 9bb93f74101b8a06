"""PostgreSQL out of reach (#14, point 6): stopped and started again under a read and
write load, or a connection dropped mid-request. Never a 500: while the database cannot
be reached a request gets 503, `Retry-After` and DATABASE_UNAVAILABLE, without the
driver's message; then pakn recovers without a restart, no acknowledged write is lost, a
retried submission (same idempotencyKey) is not applied twice, a subscriber receives every
event once, and `pakn audit verify` passes.

The restart runs on a throwaway cluster the test starts itself (`tests.support.pg_cluster`),
never the machine's shared server. SQLite is a file: there is no server to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
from sqlalchemy import select

from db.bootstrap import prepare_database
from db.engine import open_engine, session_factory
from db.listener import asyncpg_dsn
from db.models import Petition, PetitionEvent
from schema.extensions import RETRY_AFTER_SECONDS
from tests.support.cli import pakn
from tests.support.databases import pg_value
from tests.support.load import READ, Load
from tests.support.locks import writers_locked_out_async
from tests.support.pg_cluster import PgCluster, pg_cluster
from tests.support.workflow import Tokens, make_tokens, serving_workflow
from tests.support.ws_client import GraphQLSocket

LEAKS = ("asyncpg", "sqlalchemy", "Traceback", "Errno", "127.0.0.1", "terminating")
"""What a DATABASE_UNAVAILABLE answer must not contain: the driver's words."""


def assert_unavailable(response: httpx.Response) -> None:
    """A 503 with Retry-After and the code, no internal detail."""
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    errors = response.json()["errors"]
    # one error per field that met the outage: a read of several fields may meet it twice
    assert errors and {e["extensions"]["code"] for e in errors} == {"DATABASE_UNAVAILABLE"}, errors
    assert not any(word in response.text for word in LEAKS), response.text


def _skip_on_sqlite(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite is a file: there is no database server to stop or to drop")


@pytest.fixture
def cluster(backend: str) -> Iterator[tuple[PgCluster, str, Tokens]]:
    """A throwaway cluster holding a prepared pakn database: the cluster, the database's
    URL, officers' tokens."""
    _skip_on_sqlite(backend)
    with pg_cluster() as running:
        url = running.url.rsplit("/", 1)[0] + "/pakn"

        async def create() -> None:
            connection = await asyncpg.connect(asyncpg_dsn(running.url))
            try:
                await connection.execute("CREATE DATABASE pakn")
            finally:
                await connection.close()

        asyncio.run(create())
        asyncio.run(prepare_database(url))
        yield running, url, asyncio.run(make_tokens(url))


async def _events(url: str) -> list[tuple[str, str]]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = await session.execute(
            select(Petition.tracking_code, PetitionEvent.action)
            .join(Petition, Petition.id == PetitionEvent.petition_id)
            .order_by(PetitionEvent.id)
        )
        return [(code, str(getattr(action, "value", action))) for code, action in rows]


async def _tracking_codes(url: str) -> list[str]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        return list((await session.scalars(select(Petition.tracking_code))).all())


async def _collect(socket: GraphQLSocket, into: list[tuple[str, str]]) -> None:
    while True:
        message = await socket.next_message(wait=120)
        assert message["type"] == "next", message
        event = message["payload"]["data"]["petitionEvents"]
        into.append((event["petition"]["trackingCode"], event["action"]))


async def test_postgresql_stopped_and_started_under_load(
    cluster: tuple[PgCluster, str, Tokens],
) -> None:
    postgres, url, tokens = cluster
    with serving_workflow(url, tokens, feed_poll_seconds=1) as workflow:
        server = workflow.server
        received: list[tuple[str, str]] = []
        async with (
            GraphQLSocket(server.url, token=tokens.coordinator) as subscriber,
            GraphQLSocket(server.url) as operations,
        ):
            await subscriber.subscribe()
            await asyncio.to_thread(server.wait_for_subscriptions, 1)
            collecting = asyncio.create_task(_collect(subscriber, received))
            load = Load(server.url)
            load.start()
            try:
                await asyncio.to_thread(
                    load.wait_for, "writes before", lambda: len(load.acknowledged) >= 6
                )
                await asyncio.to_thread(postgres.stop, "fast")

                await asyncio.to_thread(
                    load.wait_for, "503s during the outage", lambda: len(load.unavailable) >= 5
                )
                for path in ("/health", "/export/petitions.csv", "/export/stats.csv"):
                    assert_unavailable(await asyncio.to_thread(server.client.get, path))
                assert_unavailable(await asyncio.to_thread(server.post, READ))
                over_socket = await operations.operation(READ)
                assert over_socket["type"] == "next", over_socket
                [error] = over_socket["payload"]["errors"]
                assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE", error
                acknowledged_while_down = len(load.acknowledged)

                await asyncio.to_thread(postgres.start)
                await asyncio.to_thread(
                    load.wait_for,
                    "recovery",
                    lambda: httpx.get(f"{server.url}/health", timeout=10).status_code == 200,
                )
                await asyncio.to_thread(
                    load.wait_for,
                    "writes after",
                    lambda: len(load.acknowledged) >= acknowledged_while_down + 6,
                )
            finally:
                load.stop()
            assert not load.failures, load.failures
            assert 500 not in load.statuses, load.statuses
            assert load.retried & set(load.acknowledged), "a submission retried after a 503"
            for response in load.unavailable:
                assert_unavailable(response)

            again = await operations.operation(READ)  # the same socket, still open
            assert "errors" not in again["payload"], again

            expected = await _events(url)
            await asyncio.to_thread(
                load.wait_for, "every event", lambda: len(received) >= len(expected)
            )
            await asyncio.sleep(0.3)  # nothing more may arrive
            collecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await collecting

    assert received == expected, "the subscriber received every event once, in order"
    stored = await _tracking_codes(url)
    assert sorted(stored) == sorted(load.acknowledged.values()), "no write lost or doubled"
    verified = pakn("audit", "verify", database_url=url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def _terminate_waiting(database_url: str) -> int:
    """Drop the service's connections that wait for a lock: a connection lost mid-request."""
    terminated = await asyncio.to_thread(
        pg_value,
        database_url,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    return int(terminated)


async def test_a_connection_dropped_mid_request_is_a_503_then_recovered(
    backend: str, lifecycle_database: str, lifecycle_tokens: Tokens
) -> None:
    _skip_on_sqlite(backend)
    with serving_workflow(lifecycle_database, lifecycle_tokens) as workflow:
        server = workflow.server
        async with writers_locked_out_async(lifecycle_database):
            waiting = asyncio.create_task(asyncio.to_thread(server.post, READ))
            for _ in range(200):  # until the request waits for the lock (10 s at most)
                await asyncio.sleep(0.05)
                if await _terminate_waiting(lifecycle_database):
                    break
            assert_unavailable(await waiting)
        response = server.post(READ)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
