"""`pakn serve`'s drain on SIGTERM (#19, point 4), on real child processes.

A request under way when SIGTERM comes is answered, and only then does the server exit.
Meanwhile the port refuses new connections (a proxy passes them to another host). Open
WebSockets are closed with 1012, which stock clients retry elsewhere with their cursor.
What the outbox owes is sent before the host lets go of the lead: here the outbox
interval is an hour, so only the drain's flush can deliver the webhook in time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from db.listener import asyncpg_dsn
from tests.support.cli import pakn, pakn_serve_process
from tests.support.databases import pg_value
from tests.support.waiting import wait_until
from tests.support.webhook_receiver import Receiver
from tests.support.workflow import SUBMIT, TEST_KEY, submission
from tests.support.ws_client import GraphQLSocket

SETTINGS = {"PAKN_WEBHOOK_ALLOW_PRIVATE": "1", "PAKN_OUTBOX_INTERVAL": "3600"}


def _refuses(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return False
    except OSError:
        return True


def _outbox_ran(url: str) -> bool:
    jobs = httpx.get(f"{url}/ready", timeout=5).json()["checks"].get("jobs", {})
    return jobs.get("outbox") == "ok"


async def test_a_drain_flushes_the_outbox_before_it_exits(empty_database: str) -> None:
    async with Receiver() as receiver:
        added = await asyncio.to_thread(
            pakn,
            "webhook",
            "add",
            receiver.url,
            database_url=empty_database,
            environment={**os.environ, "PAKN_SECRET_KEY": TEST_KEY, **SETTINGS},
        )
        assert added.returncode == 0, added.stderr
        receiver.secret = added.stdout.strip().split("\t")[1]
        with pakn_serve_process(empty_database, settings=SETTINGS) as (url, process):
            await asyncio.to_thread(wait_until, lambda: _outbox_ran(url), "the outbox's first run")
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                response = await client.post(
                    "/graphql", json={"query": SUBMIT, "variables": {"input": submission()}}
                )
            code = response.json()["data"]["submitPetition"]["trackingCode"]
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 60) == 0
        delivered = [d.payload["data"]["trackingCode"] for d in receiver.verified]
    assert delivered == [code]


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("a request held by a table lock needs PostgreSQL (SQLite readers never wait)")


@pytest.mark.usefixtures("postgres_only")
async def test_a_drain_answers_the_request_under_way_and_closes_sockets_with_1012(
    empty_database: str,
) -> None:
    with pakn_serve_process(empty_database, settings=SETTINGS) as (url, process):
        async with GraphQLSocket(url) as subscriber:
            await subscriber.subscribe()
            holder = await asyncpg.connect(asyncpg_dsn(empty_database))
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("LOCK TABLE petitions IN ACCESS EXCLUSIVE MODE")
            answered: list[httpx.Response] = []

            def read() -> None:
                query = "query Held { petitions(first: 1) { totalCount } }"
                answered.append(httpx.post(f"{url}/graphql", json={"query": query}, timeout=60))

            reader = threading.Thread(target=read)
            reader.start()
            await asyncio.to_thread(
                wait_until, lambda: _waiting_on_a_lock(empty_database), "the read to wait"
            )
            process.send_signal(signal.SIGTERM)
            close_code, _said = await subscriber.closing()
            assert close_code == 1012
            await asyncio.to_thread(wait_until, lambda: _refuses(url), "the port to close")
            assert process.poll() is None, "exited with a request under way"
            await transaction.rollback()
            await holder.close()
            await asyncio.to_thread(reader.join, 60)
        assert await asyncio.to_thread(process.wait, 60) == 0
    assert answered and answered[0].status_code == 200, answered
    assert answered[0].json()["data"]["petitions"]["totalCount"] == 0


def _waiting_on_a_lock(database_url: str) -> bool:
    waiting = pg_value(
        database_url,
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()",
    )
    return int(waiting) > 0
