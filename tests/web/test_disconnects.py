"""A client that goes away mid-export or mid-mutation leaves no half-written state (#14,
point 6): the server keeps serving, the export's slot comes back, no database connection
stays checked out or idle in a transaction, and a mutation is in the database whole or
not at all, its petition, events, rollups and chain agreeing; a retry makes one petition.

Real server, raw client sockets closed by the test. A mutation is held "mid" for real: the
writers are locked out (`tests.support.locks`) until the server is seen waiting on the
lock with the request, the socket is closed, and only then the lock released. Waits have
deadlines; nothing is timed.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.web.export_routes import ExportSlots
from db.engine import open_engine
from db.listener import asyncpg_dsn
from db.models import Petition, PetitionEvent
from tests.support.cli import pakn
from tests.support.databases import fresh_database
from tests.support.demo import load_demo
from tests.support.locks import writers_locked_out
from tests.support.server import RunningServer
from tests.support.waiting import wait_until
from tests.support.workflow import (
    MUTATIONS,
    SUBMIT,
    TEST_KEY,
    Tokens,
    Workflow,
    action_input,
    make_tokens,
    submission,
    workflow_settings,
)

EXPORT_PETITIONS = 12_000
"""About 10.7 MB of CSV: more than the server's socket buffers and the client's hold, so
an export read for a few KB is still streaming when its client goes."""
LIMIT = 2
CSV = "/export/petitions.csv"
FIRST_BYTES = 8 * 1024
CLI_ENVIRONMENT = {**os.environ, "PAKN_SECRET_KEY": TEST_KEY}


def _settings(url: str) -> Any:
    return workflow_settings(url, feed_poll_seconds=3600, max_exports_per_client=LIMIT)


# --- raw sockets ----------------------------------------------------------------


def _connect(server: RunningServer) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    return client


def _request(
    server: RunningServer, method: str, path: str, headers: dict[str, str], body: bytes
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode() + body


def _read_at_least(client: socket.socket, count: int) -> bytes:
    received = b""
    while len(received) < count:
        chunk = client.recv(count - len(received))
        assert chunk, f"the server closed after {len(received)} bytes: {received[:300]!r}"
        received += chunk
    return received


@contextmanager
def started_export(server: RunningServer) -> Iterator[bytes]:
    """An export from a raw socket: its first few KB read (a 200 and CSV rows), no more;
    the socket is closed when the block ends, in the middle of the body."""
    client = _connect(server)
    try:
        headers = {"Accept-Encoding": "identity"}
        client.sendall(_request(server, "GET", CSV, headers, b""))
        start = _read_at_least(client, FIRST_BYTES)
        assert start.startswith(b"HTTP/1.1 200"), start[:300]
        yield start
    finally:
        client.close()


def running_exports(server: RunningServer) -> int:
    slots: ExportSlots | None = getattr(server.starlette.state, "export_slots", None)
    return 0 if slots is None else sum(slots.running.values())


def checked_out(server: RunningServer) -> int:
    """Connections of the server's pool in use now (read across threads)."""
    return int(server.engine.pool.checkedout())  # type: ignore[attr-defined]


async def _postgres_sessions(url: str) -> dict[str, int]:
    """This database's other sessions by state, and those waiting on a lock."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT coalesce(state, '') AS state, wait_event_type = 'Lock' AS waiting "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    finally:
        await connection.close()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
        if row["waiting"]:
            counts["waiting on a lock"] = counts.get("waiting on a lock", 0) + 1
    return counts


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


async def _idle_in_transaction(url: str) -> set[tuple[int, object]]:
    """This database's other sessions idle in a transaction, as (pid, transaction start)."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT pid, xact_start FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )
    finally:
        await connection.close()
    return {(row["pid"], row["xact_start"]) for row in rows}


def assert_nothing_held(server: RunningServer, url: str) -> None:
    """No pool connection checked out (the app's sessions all closed) and, on PostgreSQL,
    no session of the database left idle in a transaction: one seen idle in the same
    transaction a second and a half apart. (A single look could catch the live feed's poll
    between its SELECT and its ROLLBACK, a transaction of a millisecond.)"""
    wait_until(lambda: checked_out(server) == 0, "every pool connection checked in")
    if is_postgres(url):
        first = asyncio.run(_idle_in_transaction(url))
        if first:
            time.sleep(1.5)
            held = first & asyncio.run(_idle_in_transaction(url))
            assert not held, (held, asyncio.run(_postgres_sessions(url)))


def _verified(url: str) -> None:
    for command in (("audit", "verify"), ("stats", "verify")):
        done = pakn(*command, database_url=url, environment=CLI_ENVIRONMENT)
        assert done.returncode == 0, done.stdout + done.stderr


# --- mid-export -------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(backend, tmp_path_factory.mktemp("disconnects")) as url:
        asyncio.run(load_demo(url, EXPORT_PETITIONS, 17))
        yield url


def test_a_client_gone_mid_export_leaves_the_slot_and_connections_free(
    export_database: str,
) -> None:
    with RunningServer(_settings(export_database)) as server:
        with started_export(server) as start:
            assert b"text/csv" in start.split(b"\r\n\r\n", 1)[0]
            assert running_exports(server) == 1, "the export ended before its client went"
        wait_until(lambda: running_exports(server) == 0, "the slot back")
        assert_nothing_held(server, export_database)

        # The same client starts as many exports as it may, at once, and no more.
        with ExitStack() as held:
            for _ in range(LIMIT):
                held.enter_context(started_export(server))
            assert running_exports(server) == LIMIT
            refused = server.client.get(CSV)
            assert refused.status_code == 429, refused.text
            assert refused.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_EXPORTS"
        wait_until(lambda: running_exports(server) == 0, "every slot back")
        assert_nothing_held(server, export_database)

        # The server keeps serving: a query, and a whole export read to its end.
        assert server.gql("{ petitions(first: 1) { totalCount } }")["petitions"]["totalCount"] > 0
        whole = server.client.get(CSV, params={"statuses": "CLOSED"})
        assert whole.status_code == 200 and whole.content.count(b"\n") > 1
        assert_nothing_held(server, export_database)


# --- mid-mutation -----------------------------------------------------------------


@pytest.fixture
def mutation_database(backend: str, tmp_path: Path) -> Iterator[tuple[str, Tokens]]:
    with fresh_database(backend, tmp_path) as url:
        asyncio.run(load_demo(url, 20, 5))
        yield url, asyncio.run(make_tokens(url))


def _waiting_on_the_lock(server: RunningServer, url: str) -> Callable[[], bool]:
    """Whether the request is in the server, held by the lock: on PostgreSQL a session
    waits on it; on SQLite a write statement has been sent (and waits for the lock)."""
    if is_postgres(url):
        return lambda: asyncio.run(_postgres_sessions(url)).get("waiting on a lock", 0) > 0
    writes = ("INSERT", "UPDATE", "DELETE")
    return lambda: any(s.lstrip().upper().startswith(writes) for s in list(server.log.statements))


def send_and_vanish(
    server: RunningServer, url: str, body: dict[str, Any], token: str | None = None
) -> None:
    """POST `body` to /graphql while the writers are locked out; close the socket once the
    request waits on the lock, before any response; then let the writers in."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with writers_locked_out(url):
        server.log.clear()
        client = _connect(server)
        try:
            client.sendall(_request(server, "POST", "/graphql", headers, json.dumps(body).encode()))
            wait_until(_waiting_on_the_lock(server, url), "the request waiting on the lock")
        finally:
            client.close()
    assert_nothing_held(server, url)


async def _rows(url: str, key: str) -> tuple[int, int]:
    """The petitions with idempotency key `key` and their events."""
    async with open_engine(url) as engine, engine.connect() as connection:
        ids = (
            await connection.scalars(select(Petition.id).where(Petition.idempotency_key == key))
        ).all()
        events = await connection.scalar(
            select(func.count())
            .select_from(PetitionEvent)
            .where(PetitionEvent.petition_id.in_(ids))
        )
    return len(ids), int(events or 0)


def _agrees(petition: dict[str, Any]) -> None:
    """The petition's status is where its events lead."""
    events = [edge["node"] for edge in petition["events"]["edges"]]
    assert events[-1]["toStatus"] == petition["status"], events


def test_a_submission_whose_client_vanished_is_whole_or_absent(
    mutation_database: tuple[str, Tokens],
) -> None:
    url, _tokens = mutation_database
    key = f"vanished-{uuid.uuid4().hex}"
    with RunningServer(_settings(url)) as server:
        send_and_vanish(
            server, url, {"query": SUBMIT, "variables": {"input": submission(idempotencyKey=key)}}
        )
        petitions, events = asyncio.run(_rows(url, key))
        assert (petitions, events) in {(0, 0), (1, 1)}, (petitions, events)
        _verified(url)

        retried = Workflow(server).submit(idempotencyKey=key)
        assert asyncio.run(_rows(url, key)) == (1, 1)
        again = Workflow(server).submit(idempotencyKey=key)
        assert again["trackingCode"] == retried["trackingCode"]
        _agrees(Workflow(server).public_view(retried["trackingCode"]))
        assert_nothing_held(server, url)
    _verified(url)


def test_a_transition_whose_client_vanished_is_whole_or_absent(
    mutation_database: tuple[str, Tokens],
) -> None:
    url, tokens = mutation_database
    with RunningServer(_settings(url)) as server:
        workflow = Workflow(server, tokens)
        submitted = workflow.submit()["petition"]
        assign = {"agencyCode": "BTC", "fieldCode": "DAT_DAI"}
        body = {
            "query": MUTATIONS["assign"],
            "variables": {"input": action_input("assign", submitted, **assign)},
        }
        send_and_vanish(server, url, body, tokens.coordinator)

        after = workflow.public_view(submitted["trackingCode"])
        _agrees(after)
        assigned = [e for e in after["events"]["edges"] if e["node"]["action"] == "ASSIGN"]
        if after["status"] == "SUBMITTED":
            assert after["version"] == submitted["version"] and not assigned
        else:
            assert after["status"] == "ASSIGNED" and len(assigned) == 1
            assert after["version"] == submitted["version"] + 1
        _verified(url)

        retry = workflow.attempt("assign", tokens.coordinator, submitted, **assign)
        if after["status"] == "SUBMITTED":
            assert not retry["userErrors"] and retry["petition"]["status"] == "ASSIGNED"
        else:
            # refused, whichever check comes first: the version or the status
            (refusal,) = retry["userErrors"]
            assert refusal["code"] in {"STALE_VERSION", "INVALID_TRANSITION"}, refusal
        final = workflow.public_view(submitted["trackingCode"])
        assert final["status"] == "ASSIGNED"
        assert len([e for e in final["events"]["edges"] if e["node"]["action"] == "ASSIGN"]) == 1
        _agrees(final)
        assert_nothing_held(server, url)
    _verified(url)
