"""A worker killed with SIGKILL is replaced by the supervisor (#14, point 6): on PostgreSQL
one of two workers, on SQLite the one supervised worker. While it dies, subscribers (Python
`gql` over graphql-transport-ws, resuming with `after:` = the last cursor received) and
writers (submissions with idempotency keys, retried when their connection drops) run:
every subscriber ends with every event exactly once and in order, every acknowledged
write is stored once, and `pakn audit verify` passes. A worker that keeps failing at
start makes the supervisor give up with a clear message and an exit code."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportClosed, TransportConnectionFailed
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy import select

from app.web.serving import GIVE_UP_AFTER, GIVE_UP_EXIT_CODE
from db.engine import open_engine, session_factory
from db.models import Petition, PetitionEvent
from tests.support.cli import pakn, pakn_serve_process
from tests.support.load import Load
from tests.support.processes import connections, wait_for_exit, wait_for_workers
from tests.support.server import HttpServer, free_port
from tests.support.workflow import TEST_KEY, Workflow

SUBSCRIBERS = 6
EVERYTHING = """subscription All($after: String) {
  petitionEvents(after: $after) { cursor action petition { trackingCode } }
}"""
FIRST_EVENT = """query($c: String!) { petition(trackingCode: $c) {
  events(first: 1) { edges { node { cursor } } } } }"""


def worker_count(backend: str) -> int:
    return 2 if backend == "postgresql" else 1


@pytest.fixture
def served(backend: str, empty_database: str, tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    """`pakn serve` (two workers on PostgreSQL, one on SQLite): its URL, the supervisor's
    pid, and the file its messages go to."""
    log = tmp_path / "serve.log"
    workers = worker_count(backend)
    with (
        log.open("wb") as stderr,
        pakn_serve_process(empty_database, workers, None, stderr) as (
            url,
            process,
        ),
    ):
        yield url, process.pid, log


def test_a_worker_that_keeps_failing_at_start_makes_the_supervisor_give_up() -> None:
    """Every worker fails at start (its database refuses connections): the supervisor
    replaces it with a growing delay, then gives up rather than spin."""
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/pakn"
    program = (
        "import sys\n"
        "from app.web.serving import FACTORY, _supervise, uvicorn_config\n"
        f"sys.exit(_supervise(uvicorn_config(FACTORY, '127.0.0.1', {free_port()}), 1))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", program],
        env=os.environ | {"PAKN_DATABASE_URL": nowhere, "PAKN_SECRET_KEY": TEST_KEY},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert finished.returncode == GIVE_UP_EXIT_CODE, finished.stderr
    assert finished.stderr.count("exited (code 3)") == GIVE_UP_AFTER
    assert f"{GIVE_UP_AFTER} workers exited within 60 s; giving up" in finished.stderr


@dataclass
class Subscriber:
    """`gql` following every event; when its connection drops it subscribes again with
    `after:` = the cursor of the last event it received."""

    url: str
    after: str
    received: list[tuple[str, str]] = field(default_factory=list)
    reconnections: int = 0

    async def follow(self) -> None:
        while True:
            transport = WebsocketsTransport(
                url=self.url,
                subprotocols=["graphql-transport-ws"],
                connect_timeout=5,
                ack_timeout=5,
            )
            try:
                async with Client(transport=transport) as session:
                    request = GraphQLRequest(EVERYTHING, variable_values={"after": self.after})
                    async for data in session.subscribe(request):
                        event = data["petitionEvents"]
                        self.after = event["cursor"]
                        self.received.append((event["petition"]["trackingCode"], event["action"]))
            except (TransportConnectionFailed, TransportClosed, OSError):
                self.reconnections += 1
                await asyncio.sleep(0.1)


async def _stored_events(url: str, after_code: str) -> list[tuple[str, str]]:
    """Every event after the first petition's SUBMIT, in the log's order."""
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(Petition.tracking_code, PetitionEvent.action)
                .join(Petition, Petition.id == PetitionEvent.petition_id)
                .order_by(PetitionEvent.id)
            )
        ).all()
    events = [(code, str(getattr(action, "value", action))) for code, action in rows]
    first = events.index((after_code, "SUBMIT"))
    return events[first + 1 :]


async def _stored_codes(url: str) -> list[str]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        return list((await session.scalars(select(Petition.tracking_code))).all())


def _first_petition(url: str) -> tuple[str, str]:
    """A petition submitted before the subscribers start: its code and its SUBMIT's
    cursor, from which they follow."""
    server = HttpServer(url)
    code = Workflow(server).submit()["trackingCode"]
    [edge] = server.gql(FIRST_EVENT, {"c": code})["petition"]["events"]["edges"]
    server.client.close()
    return str(code), str(edge["node"]["cursor"])


def _until(what: str, condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.05)


async def test_kill_9_of_a_worker_under_subscribers_and_writers(
    backend: str, served: tuple[str, int, Path], empty_database: str
) -> None:
    url, supervisor, log = served
    port = int(url.rsplit(":", 1)[1])
    first, cursor = await asyncio.to_thread(_first_petition, url)
    ws_url = url.replace("http://", "ws://") + "/graphql"
    subscribers = [Subscriber(ws_url, cursor) for _ in range(SUBSCRIBERS)]
    following = [asyncio.create_task(s.follow()) for s in subscribers]
    before = wait_for_workers(supervisor, worker_count(backend))
    await asyncio.to_thread(
        _until,
        "every subscriber connected",
        lambda: sum(connections(pid, port) for pid in before) >= SUBSCRIBERS,
    )
    victim = max(before, key=lambda pid: connections(pid, port))  # it serves subscribers
    load = Load(url, writers=2)
    load.start()
    try:
        await asyncio.to_thread(_until, "writes before", lambda: len(load.acknowledged) >= 8)
        os.kill(victim, signal.SIGKILL)
        wait_for_exit(victim)
        written = len(load.acknowledged)
        after = await asyncio.to_thread(wait_for_workers, supervisor, worker_count(backend))
        await asyncio.to_thread(
            _until, "writes after", lambda: len(load.acknowledged) >= written + 8
        )
    finally:
        load.stop()
    try:
        assert not load.failures, load.failures
        assert 500 not in load.statuses, load.statuses
        expected = await _stored_events(empty_database, first)
        await asyncio.to_thread(
            _until,
            "every event at every subscriber",
            lambda: all(len(s.received) >= len(expected) for s in subscribers),
        )
        await asyncio.sleep(0.3)  # and nothing more
    finally:
        for task in following:
            task.cancel()
        await asyncio.gather(*following, return_exceptions=True)
    assert victim not in after
    assert (await asyncio.to_thread(httpx.get, f"{url}/health")).status_code == 200
    assert f"worker {victim} exited (code -9)" in log.read_text()
    assert sum(s.reconnections for s in subscribers) >= 1, "the victim served subscribers"
    for subscriber in subscribers:
        assert subscriber.received == expected, "every event once, in order"
    stored = await _stored_codes(empty_database)
    assert sorted(stored) == sorted([first, *load.acknowledged.values()]), "no write lost"
    verified = pakn("audit", "verify", database_url=empty_database)
    assert verified.returncode == 0, verified.stdout + verified.stderr
