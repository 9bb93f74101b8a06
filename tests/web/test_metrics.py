"""`GET /metrics` (#19, point 2): a real `pakn serve` (two workers on PostgreSQL, one on
SQLite) is scraped before and after traffic, and the scrapes are read with
prometheus-client's own text parser. Every family is there; the figures moved: requests
counted across both workers (whichever answers the scrape), errors by code, SQL
statements, refusals (hourly submissions, the read rate, the query cost), an event's
delivery lag, a subscription and its socket while they are open (a socket's operations
counted, never timed), the background jobs' heartbeats from their table, the newest
checkpoint's age once one is signed.

Who is answered: the bearer of PAKN_METRICS_TOKEN when it is set (no token and a wrong
one get the 404 of an unknown path), else loopback only, without `X-Forwarded-For` (which
a client writes itself under a broad proxy trust). Any other method, and any path under
`/metrics/`, get that same 404. Every limit counts its refusals by reason. A flood of
distinct operation names leaves the label set bounded; junk names in documents that fail
take no place in it, over HTTP or a socket; two applications in one process count apart.
The database's figures are read at each scrape: the log's unsigned entries beside the
checkpoint's age, the outbox's due messages apart from those backing off, every job's
heartbeat age and interval. A supervisor killed before it removed its metrics directory
leaves it to the next. A database out of reach leaves its figures out of a scrape, which
still answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.settings import Settings
from app.web.metrics import MAX_LABEL_VALUES, MULTIPROCESS_DIR, OTHER, multiprocess_metrics
from db.engine import open_engine
from db.models import JobHeartbeat, LogEntry, OutboxMessage, PetitionEvent
from tests.support.cli import pakn_serve_process
from tests.support.log import sign
from tests.support.processes import connections, wait_for_workers
from tests.support.server import RunningServer
from tests.support.tcp_relay import TcpRelay
from tests.support.workflow import SUBMIT, submission

FAMILIES = {
    "pakn_requests": "counter",
    "pakn_request_duration_seconds": "histogram",
    "pakn_errors": "counter",
    "pakn_sql_statements": "counter",
    "pakn_sql_duration_seconds": "histogram",
    "pakn_db_pool_in_use": "gauge",
    "pakn_open_sockets": "gauge",
    "pakn_active_subscriptions": "gauge",
    "pakn_event_delivery_lag_seconds": "histogram",
    "pakn_outbox_backlog": "gauge",
    "pakn_outbox_oldest_age_seconds": "gauge",
    "pakn_log_unsigned_entries": "gauge",
    "pakn_checkpoint_age_seconds": "gauge",
    "pakn_job_runs": "counter",
    "pakn_job_last_run_timestamp_seconds": "gauge",
    "pakn_job_heartbeat_age_seconds": "gauge",
    "pakn_job_interval_seconds": "gauge",
    "pakn_refusals": "counter",
}
PROBE = "query MetricsProbe { __typename }"
PROBES_PER_WORKER = 4
COSTLY = """query TooCostly {
  petitions(first: 100) { edges { node { events(first: 100) { edges { node { action } } } } } }
}"""
FOLLOW = "subscription Follow { petitionEvents { cursor action } }"
SETTINGS = {
    "PAKN_SUBMISSIONS_PER_HOUR": "1",
    "PAKN_READ_RATE": "60",
    "PAKN_MAX_QUERY_COST": "1000",
    "PAKN_CHECKPOINT_SECONDS": "0.2",
}
"""One submission an hour, 30 reads a minute per worker and a small cost limit: each
refusal within reach of a few requests."""
TOKEN = "metrics-token-of-the-tests-0123456789"


@dataclass
class Scrape:
    """One scrape, parsed: samples by (sample name, sorted labels)."""

    families: dict[str, str]
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        families, samples = {}, {}
        for family in text_string_to_metric_families(text):
            families[family.name] = family.type
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return cls(families, samples)

    def value(self, name: str, **labels: str) -> float:
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def labelled(self, name: str, label: str) -> dict[str, float]:
        """Every value of `label` in samples `name`, with the sum of their values."""
        found: dict[str, float] = {}
        for (sample, labels), value in self.samples.items():
            given = dict(labels)
            if sample == name and label in given:
                found[given[label]] = found.get(given[label], 0.0) + value
        return found


def scrape(client: httpx.Client, **headers: str) -> Scrape:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape.parse(response.text)


def until(what: str, condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.05)


def worker_count(backend: str) -> int:
    return 2 if backend == "postgresql" else 1


def one_connection_per_worker(url: str, workers: set[int], port: int) -> list[httpx.Client]:
    """Keep-alive clients, one held by each worker (each new connection goes to whichever
    worker accepts it first: opened until every worker holds one, at most 40)."""
    held: dict[int, httpx.Client] = {}
    spare: list[httpx.Client] = []
    for _ in range(40):
        before = {pid: connections(pid, port) for pid in workers}
        client = httpx.Client(base_url=url, timeout=30)
        assert client.get("/health").status_code == 200
        grown = [pid for pid in workers if connections(pid, port) > before[pid]]
        if len(grown) == 1 and grown[0] not in held:
            held[grown[0]] = client
        else:
            spare.append(client)
        if len(held) == len(workers):
            break
    for client in spare:
        client.close()
    assert len(held) == len(workers), "every worker holds a connection"
    return list(held.values())


async def follow(ws_url: str, received: list[dict[str, Any]]) -> None:
    transport = WebsocketsTransport(url=ws_url, subprotocols=["graphql-transport-ws"])
    async with Client(transport=transport) as session:
        async for data in session.subscribe(GraphQLRequest(FOLLOW)):
            received.append(data["petitionEvents"])


def read_until_refused(url: str) -> int:
    """Reads from another client (127.0.0.3) on one connection, so one worker, until the
    read rate refuses one (at most 200): their count."""
    transport = httpx.HTTPTransport(local_address="127.0.0.3")
    with httpx.Client(base_url=url, transport=transport, timeout=30) as reader:
        for sent in range(1, 201):
            response = reader.post("/graphql", json={"query": "{ __typename }"})
            if response.status_code == 429:
                assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
                return sent
            assert response.status_code == 200, response.text
    raise AssertionError("200 reads and no refusal")


def submit(client: httpx.Client) -> list[str]:
    body = {"query": SUBMIT, "variables": {"input": submission()}}
    response = client.post("/graphql", json=body)
    assert response.status_code == 200, response.text
    return [e["code"] for e in response.json()["data"]["submitPetition"]["userErrors"]]


@pytest.fixture
def served(backend: str, empty_database: str) -> Iterator[tuple[str, set[int]]]:
    workers = worker_count(backend)
    with pakn_serve_process(empty_database, workers, SETTINGS) as (url, process):
        yield url, wait_for_workers(process.pid, workers)


async def test_a_scrape_after_traffic_counts_every_worker(
    served: tuple[str, set[int]],
) -> None:
    url, workers = served
    port = int(url.rsplit(":", 1)[1])
    clients = await asyncio.to_thread(one_connection_per_worker, url, workers, port)
    first = clients[0]
    try:
        before = await asyncio.to_thread(scrape, first)
        assert set(FAMILIES) - {"pakn_checkpoint_age_seconds"} <= set(before.families)
        assert "pakn_checkpoint_age_seconds" not in before.families, "no checkpoint yet"
        for name, kind in FAMILIES.items():
            assert before.families.get(name, kind) == kind, name

        for client in clients:
            for _ in range(PROBES_PER_WORKER):
                response = await asyncio.to_thread(client.post, "/graphql", json={"query": PROBE})
                assert response.status_code == 200, response.text
        costly = await asyncio.to_thread(first.post, "/graphql", json={"query": COSTLY})
        assert costly.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"

        received: list[dict[str, Any]] = []
        following = asyncio.create_task(follow(url.replace("http", "ws") + "/graphql", received))
        try:
            await asyncio.to_thread(
                until,
                "a subscription counted",
                lambda: scrape(first).value("pakn_active_subscriptions") >= 1,
            )
            open_now = await asyncio.to_thread(scrape, first)
            assert open_now.value("pakn_open_sockets") >= 1
            assert await asyncio.to_thread(submit, first) == []
            await asyncio.to_thread(until, "the event received", lambda: len(received) >= 1)
        finally:
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following
        assert received[0]["action"] == "SUBMIT"
        assert await asyncio.to_thread(submit, first) == ["RATE_LIMITED"]
        await asyncio.to_thread(read_until_refused, url)
        await asyncio.to_thread(
            until,
            "a checkpoint signed",
            lambda: "pakn_checkpoint_age_seconds" in scrape(first).families,
        )

        afters = [await asyncio.to_thread(scrape, client) for client in clients]
    finally:
        for client in clients:
            client.close()
    for after in afters:  # whichever worker answers, it counts them all
        assert set(FAMILIES) <= set(after.families)
        probes = after.value("pakn_requests_total", transport="http", operation="MetricsProbe")
        assert probes - before.value(
            "pakn_requests_total", transport="http", operation="MetricsProbe"
        ) == PROBES_PER_WORKER * len(workers)
        timed = after.value(
            "pakn_request_duration_seconds_count", transport="http", operation="MetricsProbe"
        )
        assert timed == probes
        assert after.value("pakn_requests_total", transport="ws", operation="Follow") >= 1
        assert after.value("pakn_errors_total", code="QUERY_TOO_COSTLY") == 1
        assert after.value("pakn_errors_total", code="RATE_LIMITED") >= 2
        for reason in ("cost", "rate_limited", "read_rate"):
            moved = after.value("pakn_refusals_total", reason=reason) - before.value(
                "pakn_refusals_total", reason=reason
            )
            assert moved >= 1, reason
        assert after.value("pakn_refusals_total", reason="cost") == 1
        assert after.value("pakn_refusals_total", reason="rate_limited") == 1
        assert after.value("pakn_sql_statements_total") > before.value("pakn_sql_statements_total")
        assert after.value("pakn_sql_duration_seconds_count") > 0
        assert after.value("pakn_event_delivery_lag_seconds_count") >= 1
        assert after.value("pakn_event_delivery_lag_seconds_count") > before.value(
            "pakn_event_delivery_lag_seconds_count"
        )
        assert after.value("pakn_outbox_backlog") >= 0
        assert after.value("pakn_checkpoint_age_seconds") >= 0
        heartbeats = after.labelled("pakn_job_last_run_timestamp_seconds", "job_name")
        assert heartbeats, "a background job ran"
        assert all(beat > time.time() - 3600 for beat in heartbeats.values())
        assert after.labelled("pakn_job_runs_total", "outcome").get("ok", 0) >= 1
        ages = after.labelled("pakn_job_heartbeat_age_seconds", "job_name")
        intervals = after.labelled("pakn_job_interval_seconds", "job_name")
        assert ages and set(ages) == set(intervals), "every job's heartbeat, from the table"
        assert all(0 <= age < 3600 for age in ages.values())
        assert all(interval > 0 for interval in intervals.values())
        timed_sockets = [
            labels
            for (name, labels), _ in after.samples.items()
            if name.startswith("pakn_request_duration_seconds") and ("transport", "ws") in labels
        ]
        assert not timed_sockets, "a socket's operations are counted, not timed"


def operations(seen: list[dict[str, float]], client: httpx.Client) -> float:
    """GraphQL requests counted by operation (kept in `seen`), their total."""
    seen.append(scrape(client).labelled("pakn_requests_total", "operation"))
    return sum(count for name, count in seen[-1].items() if not name.startswith("/"))


@contextmanager
def in_process(database_url: str, **settings: Any) -> Iterator[RunningServer]:
    with RunningServer(Settings(database_url=database_url, read_rate=0, **settings)) as server:
        yield server


def test_the_token_is_asked_when_it_is_set(empty_database: str) -> None:
    with in_process(empty_database, metrics_token=TOKEN) as server:
        for headers in ({}, {"authorization": "Bearer wrong-token-of-the-tests-0123456789"}):
            refused = server.client.get("/metrics", headers=headers)
            assert refused.status_code == 404, "loopback is not enough with a token"
            assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        answered = scrape(server.client, authorization=f"Bearer {TOKEN}")
        assert "pakn_requests" in answered.families
        assert answered.value("pakn_errors_total", code="NOT_FOUND") == 2


def test_without_a_token_a_client_behind_a_trusted_proxy_is_not_loopback(
    empty_database: str,
) -> None:
    with in_process(empty_database, trusted_proxies=("127.0.0.1",)) as server:
        remote = server.client.get("/metrics", headers={"x-forwarded-for": "203.0.113.7"})
        assert remote.status_code == 404
        assert remote.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert scrape(server.client).families, "the proxy's own host is loopback"


def test_without_a_token_a_forwarded_request_is_never_loopback(empty_database: str) -> None:
    """Trusting every peer, uvicorn's middleware takes the rightmost entry the client
    wrote as the client: `127.0.0.1` would pass for loopback. No request with the header
    passes without the token, whatever it says; with the token, one through nginx does."""
    every_peer = ("0.0.0.0/0", "::/0")
    forged = ("127.0.0.1", "203.0.113.7, 127.0.0.1", "::1", "127.0.0.1, 127.0.0.1", "")
    with in_process(empty_database, trusted_proxies=every_peer) as server:
        for entries in forged:
            refused = server.client.get("/metrics", headers={"x-forwarded-for": entries})
            assert refused.status_code == 404, entries
            assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert scrape(server.client).families, "loopback without the header"
    with in_process(empty_database, trusted_proxies=every_peer, metrics_token=TOKEN) as server:
        proxied = {"authorization": f"Bearer {TOKEN}", "x-forwarded-for": "203.0.113.7"}
        assert scrape(server.client, **proxied).families


def test_metrics_answers_get_and_head_at_its_path_only(empty_database: str) -> None:
    """Other methods and paths under `/metrics/` get the 404 of an unknown path, as an
    unauthorised GET does: no 405 naming the methods allowed, no redirect to the path."""

    def refusal(response: httpx.Response) -> tuple[int, bytes, list[str]]:
        ignored = {"x-request-id", "date"}
        return response.status_code, response.content, sorted(set(response.headers) - ignored)

    asked = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
    with in_process(empty_database) as server:
        unknown = refusal(server.client.get("/no-such-path"))
        assert unknown[0] == 404
        for method in asked:
            assert refusal(server.client.request(method, "/metrics")) == unknown, method
        for path in ("/metrics/", "/metrics//", "/metrics/x", "/metrics/?a=1"):
            for method in ("GET", "POST"):
                refused = refusal(server.client.request(method, path))
                assert refused == unknown, (method, path)
        assert server.client.head("/metrics").status_code == 200
        assert scrape(server.client).families
    with in_process(empty_database, metrics_token=TOKEN) as server:
        unauthorised = refusal(server.client.get("/metrics"))
        assert unauthorised == unknown
        bearer = {"authorization": f"Bearer {TOKEN}"}
        for method in asked:
            refused = server.client.request(method, "/metrics", headers=bearer)
            assert refusal(refused) == unknown, method
        assert refusal(server.client.get("/metrics/", headers=bearer)) == unknown
        assert scrape(server.client, **bearer).families


async def junk_over_a_socket(url: str, count: int) -> list[str]:
    """`count` subscriptions with junk names in documents that do not validate, then one
    valid named query (`SocketProbe`), on one graphql-transport-ws socket: the types of
    the first message answering each."""
    ws_url = url.replace("http://", "ws://") + "/graphql"
    protocols: Any = ["graphql-transport-ws"]
    answered: list[str] = []
    async with connect(ws_url, subprotocols=protocols) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        documents = [f"subscription SocketJunk{n} {{ noSuchField }}" for n in range(count)]
        for number, query in enumerate([*documents, "query SocketProbe { __typename }"]):
            payload = {"query": query}
            await socket.send(
                json.dumps({"id": str(number), "type": "subscribe", "payload": payload})
            )
            reply = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert reply["id"] == str(number), reply
            answered.append(reply["type"])
    return answered


def test_a_flood_of_operation_names_keeps_the_label_set_bounded(empty_database: str) -> None:
    """Junk names first, more than the label set holds, in documents that fail (do not
    validate, or name no operation they hold), over a socket and over HTTP: none takes a
    place. Then valid named documents take the places, up to the cap."""
    flood = 500
    junk = MAX_LABEL_VALUES
    odd = ["x" * 65, "naïve", "1st", "with space"]
    with in_process(empty_database) as server:
        on_socket = asyncio.run(junk_over_a_socket(server.url, 20))
        assert on_socket == ["error"] * 20 + ["next"]
        for number in range(junk):
            if number % 4:
                invalid = server.post(f"query Junk{number} {{ noSuchField }}")
                assert invalid.status_code == 200, invalid.text
            else:
                body = {"query": "{ __typename }", "operationName": f"Junk{number}"}
                assert server.client.post("/graphql", json=body).status_code == 400
        for number in range(flood):
            response = server.post(f"query Flood{number} {{ __typename }}")
            assert response.status_code == 200, response.text
        for name in odd:
            body = {"query": "{ __typename }", "operationName": name}
            assert server.client.post("/graphql", json=body).status_code < 500
        # a request is counted as its response ends: the last may end after the scrape
        seen: list[dict[str, float]] = []
        everything = 20 + 1 + junk + flood + len(odd)
        until("every request counted", lambda: operations(seen, server.client) >= everything)
        counted = seen[-1]
    assert counted["SocketProbe"] == 1, "a valid name on a socket takes a place"
    assert not any("Junk" in name for name in counted), "no junk name takes a place"
    names = {name for name in counted if name.startswith("Flood")}
    assert len(names) == MAX_LABEL_VALUES - 1
    assert counted[OTHER] == 20 + junk + flood - len(names) + len(odd)
    assert not any(name in counted for name in odd)
    with in_process(empty_database) as other:
        assert other.post("query Flood0 { __typename }").status_code == 200
        apart = scrape(other.client)
    assert apart.value("pakn_requests_total", transport="http", operation="Flood0") == 1


DEEP = """query Deep {
  petitions(first: 1) { edges { node { events(first: 1) { edges { node { action } } } } } }
}"""
ALIASED = "query Aliased { a: __typename b: __typename c: __typename }"
WORDY = "query Wordy { " + " ".join(["__typename"] * 60) + " }"
WIDE = "query Wide { petitions(first: 100) { edges { node { trackingCode } } } }"


async def one_socket_too_many(url: str) -> int | None:
    """The close code of a second socket from an address allowed one."""
    ws_url = url.replace("http://", "ws://") + "/graphql"
    protocols: Any = ["graphql-transport-ws"]
    async with connect(ws_url, subprotocols=protocols) as first:
        await first.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(first.recv(), 10))["type"] == "connection_ack"
        async with connect(ws_url, subprotocols=protocols) as second:
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait_for(second.recv(), 10)
            return second.close_code


def test_every_limit_counts_its_refusals(empty_database: str) -> None:
    limits = {
        "max_query_depth": 5,
        "max_aliases": 2,
        "max_tokens": 50,
        "max_query_cost": 100,
        "max_body_bytes": 2048,
        "max_sockets_per_client": 1,
    }
    with in_process(empty_database, **limits) as server:
        before = scrape(server.client)
        for query, code in (
            (DEEP, "QUERY_TOO_DEEP"),
            (ALIASED, "TOO_MANY_ALIASES"),
            (WORDY, "TOO_MANY_TOKENS"),
            (WIDE, "QUERY_TOO_COSTLY"),
        ):
            assert server.error_codes(query) == [code]
        oversized = {"query": "{ __typename }", "variables": {"x": "y" * 4096}}
        too_large = server.client.post("/graphql", json=oversized)
        assert too_large.status_code == 413
        assert asyncio.run(one_socket_too_many(server.url)) == 4429
        seen: list[Scrape] = []

        def counted() -> bool:
            seen.append(scrape(server.client))
            return seen[-1].value("pakn_refusals_total", reason="socket_limit") >= 1

        until("the socket refusal counted", counted)
    after = seen[-1]
    for reason, code in (
        ("depth", "QUERY_TOO_DEEP"),
        ("aliases", "TOO_MANY_ALIASES"),
        ("tokens", "TOO_MANY_TOKENS"),
        ("cost", "QUERY_TOO_COSTLY"),
        ("body_too_large", "REQUEST_TOO_LARGE"),
        ("socket_limit", "TOO_MANY_SOCKETS"),
    ):
        refused = after.value("pakn_refusals_total", reason=reason)
        assert refused - before.value("pakn_refusals_total", reason=reason) == 1, reason
        assert after.value("pakn_errors_total", code=code) == 1, code


async def leaves(url: str) -> int:
    async with open_engine(url) as engine, engine.connect() as connection:
        return int(await connection.scalar(select(func.max(LogEntry.event_id))) or 0)


async def owe_and_beat(url: str, now: datetime) -> None:
    """Two webhook deliveries of the newest event, one due for two minutes (made two hours
    ago), one made a day ago and backing off for an hour more; a job last seen 1000 s ago
    with a 60 s interval."""
    async with open_engine(url) as engine, engine.begin() as connection:
        event_id, petition_id = (
            await connection.execute(
                select(PetitionEvent.id, PetitionEvent.petition_id)
                .order_by(PetitionEvent.id.desc())
                .limit(1)
            )
        ).one()
        owed = {"event_id": event_id, "petition_id": petition_id, "channel": "webhook"}
        await connection.execute(
            insert(OutboxMessage),
            [
                owed
                | {
                    "recipient": "9001",
                    "created_at": now - timedelta(hours=2),
                    "expires_at": now + timedelta(days=1),
                    "next_attempt_at": now - timedelta(minutes=2),
                },
                owed
                | {
                    "recipient": "9002",
                    "created_at": now - timedelta(days=1),
                    "expires_at": now + timedelta(days=1),
                    "next_attempt_at": now + timedelta(hours=1),
                },
            ],
        )
        beat = {"host": "gone.example", "interval_seconds": 60.0, "succeeded": True}
        await connection.execute(
            insert(JobHeartbeat).values(
                job="test-stuck", beat_at=now - timedelta(seconds=1000), **beat
            )
        )


def test_the_database_figures_are_read_at_each_scrape(empty_database: str) -> None:
    """No background job runs here (nor signs, nor sends): the rows are the test's."""
    with in_process(empty_database) as server:
        first = scrape(server.client)
        assert "pakn_checkpoint_age_seconds" not in first.families
        assert first.value("pakn_log_unsigned_entries") == 0
        assert first.labelled("pakn_job_heartbeat_age_seconds", "job_name") == {}
        assert submit(server.client) == []
        submitted = scrape(server.client)
        grown = asyncio.run(leaves(empty_database))
        assert grown >= 1
        assert submitted.value("pakn_log_unsigned_entries") == grown, "never signed: all"
        asyncio.run(sign(empty_database))
        signed = scrape(server.client)
        assert signed.value("pakn_log_unsigned_entries") == 0
        assert 0 <= signed.value("pakn_checkpoint_age_seconds") < 600
        assert submit(server.client) == []
        again = scrape(server.client)
        assert (
            again.value("pakn_log_unsigned_entries") == asyncio.run(leaves(empty_database)) - grown
        )

        now = datetime.now(UTC)
        asyncio.run(owe_and_beat(empty_database, now))
        owed = scrape(server.client)
    assert owed.value("pakn_outbox_backlog") == again.value("pakn_outbox_backlog") + 2
    oldest = owed.value("pakn_outbox_oldest_age_seconds")
    assert 120 <= oldest < 3600, "due two minutes; the day-old one backs off on purpose"
    assert owed.value("pakn_job_heartbeat_age_seconds", job_name="test-stuck") >= 1000
    assert owed.value("pakn_job_heartbeat_age_seconds", job_name="test-stuck") < 1000 + 600
    assert owed.value("pakn_job_interval_seconds", job_name="test-stuck") == 60


def test_a_killed_supervisors_directory_is_removed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve`'s temporary directory is named after its pid; one whose supervisor is gone
    (killed before it could remove it) is removed when the next one starts."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv(MULTIPROCESS_DIR, raising=False)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = tmp_path / f"pakn-metrics-{gone.pid}-x1"
    orphan.mkdir()
    (orphan / "counter_1.db").write_bytes(b"")
    running = tmp_path / f"pakn-metrics-{os.getpid()}-x2"
    running.mkdir()
    with multiprocess_metrics() as made:
        assert os.environ[MULTIPROCESS_DIR] == made
        assert not orphan.exists() and running.exists()
    assert not Path(made).exists() and MULTIPROCESS_DIR not in os.environ


def test_a_database_out_of_reach_leaves_its_figures_out(backend: str, empty_database: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no port to close: its file is always there")
    url = make_url(empty_database)
    with TcpRelay(url.host or "127.0.0.1", url.port or 5432) as relay:
        relayed = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
        with in_process(relayed) as server:
            reached = scrape(server.client)
            relay.cut()
            unreached = scrape(server.client)
    assert {"pakn_outbox_backlog", "pakn_outbox_oldest_age_seconds"} <= set(reached.families)
    assert "pakn_outbox_backlog" not in unreached.families
    assert "pakn_outbox_oldest_age_seconds" not in unreached.families
    assert unreached.value("pakn_requests_total", transport="http", operation="/metrics") >= 1
