"""pakn on two hosts behind a real nginx that runs the shipped example, deploy/nginx.conf
(#19, point 1 and the test of point 4). PostgreSQL only: the hosts share one database (on
SQLite pakn is one host). Without nginx the tests skip (`make nginx`), under CI=true fail.

Through nginx: a WebSocket subscription (Python `gql`, graphql-transport-ws) receives
events, those written on the other host too; anonymous GraphQL GETs and full log tiles
are cached as pakn's Cache-Control and ETag say, an officer's request never is, and a
cached answer is not served once its max-age has passed; the submission limit counts the
real client's address (clients on 127.0.0.2 and 127.0.0.3 play two people, and a forged
X-Forwarded-For changes nothing). Under subscribers and writers through nginx, one host
killed with SIGKILL, and then a rolling restart of both (SIGTERM, exit, start, back in
nginx's rotation), lose no event and no acknowledged write, store none twice, and pass
`pakn audit verify`; in the rolling restart every response is a 200.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportClosed, TransportConnectionFailed
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy import select

from db.engine import open_engine, session_factory
from db.models import Petition, PetitionEvent
from tests.support.cli import pakn
from tests.support.databases import prepared_database
from tests.support.load import Load
from tests.support.log import sign
from tests.support.nginx import Host, Nginx, behind_nginx, nginx_or_skip
from tests.support.server import HttpServer
from tests.support.workflow import (
    MUTATIONS,
    SUBMIT,
    Tokens,
    Workflow,
    action_input,
    bearer,
    make_tokens,
    submission,
)

WAIT = 30.0
"""Seconds any one expected thing may take."""
CACHE_SECONDS = 2
SUBMISSIONS_PER_HOUR = 3
SUBSCRIBERS = 5
SHARED_SETTINGS = {
    "PAKN_CACHE_SECONDS": str(CACHE_SECONDS),
    "PAKN_SUBMISSIONS_PER_HOUR": str(SUBMISSIONS_PER_HOUR),
}
"""The module's hosts: pakn's limits, but few submissions an hour and a short max-age."""
LOAD_SETTINGS = {"PAKN_SUBMISSIONS_PER_HOUR": "100000", "PAKN_READ_RATE": "0"}
"""The fault tests' hosts: their writers and reader all come from 127.0.0.1."""
DROPPED = (TransportConnectionFailed, TransportClosed, OSError, TimeoutError)
"""What a subscriber takes for a lost connection, to resume after."""

FOLLOW = """subscription($code: String, $after: String) {
  petitionEvents(trackingCode: $code, after: $after) {
    cursor action note petition { trackingCode } } }"""
LATEST = "query($c: String!) { petition(trackingCode: $c) { latestEvent { cursor note } } }"


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def _until(what: str, condition: Callable[[], bool], seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def nginx_binary(backend: str) -> str:
    if backend != "postgresql":
        pytest.skip("several pakn hosts share one PostgreSQL; on SQLite pakn is one host")
    return nginx_or_skip()


@dataclass
class Cluster:
    """Two hosts and nginx on one database, and a petition IN_PROGRESS at BTC on which
    its officer posts progress updates: events a test writes at any host it likes without
    spending the submission limit, which one test counts."""

    database_url: str
    hosts: tuple[Host, Host]
    nginx: Nginx
    tokens: Tokens
    code: str = ""

    def progress(self, url: str, note: str) -> dict[str, Any]:
        """BTC's officer posts a progress update `note` through `url`; the petition after."""
        server = HttpServer(url)
        try:
            workflow = Workflow(server, self.tokens)
            return workflow.act(
                "progress", self.tokens.btc, workflow.public_view(self.code), note=note
            )
        finally:
            server.client.close()

    def latest_cursor(self) -> str:
        server = HttpServer(self.hosts[0].url)
        try:
            return str(server.gql(LATEST, {"c": self.code})["petition"]["latestEvent"]["cursor"])
        finally:
            server.client.close()


@pytest.fixture(scope="module")
def cluster(nginx_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("multi-host")
    with prepared_database("postgresql", folder) as url:
        asyncio.run(sign(url, 70, 11))  # a log of more than one full tile, signed
        tokens = asyncio.run(make_tokens(url))
        with behind_nginx(url, folder, SHARED_SETTINGS, nginx_binary) as (hosts, nginx):
            shared = Cluster(url, hosts, nginx, tokens)
            server = HttpServer(hosts[0].url)
            petition, _secret = Workflow(server, tokens).in_progress()
            server.client.close()
            shared.code = petition["trackingCode"]
            yield shared


@asynccontextmanager
async def following(
    url: str, code: str | None, after: str | None
) -> AsyncIterator[tuple[str, AsyncIterator[dict[str, Any]]]]:
    """A `gql` subscription to `url`'s events of petition `code` after `after`: the host
    nginx chose (its `X-Upstream`; empty straight to a host) and the events."""
    transport = WebsocketsTransport(
        url=url, subprotocols=["graphql-transport-ws"], connect_timeout=WAIT, ack_timeout=WAIT
    )
    async with Client(transport=transport) as session:
        request = GraphQLRequest(FOLLOW, variable_values={"code": code, "after": after})
        events = session.subscribe(request)
        try:
            yield _header(transport.response_headers, "x-upstream"), events
        finally:
            await events.aclose()


async def _next(events: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    return (await asyncio.wait_for(anext(events), WAIT))["petitionEvents"]  # type: ignore[no-any-return]


async def test_a_subscription_through_nginx_receives_an_event(cluster: Cluster) -> None:
    after = await asyncio.to_thread(cluster.latest_cursor)
    async with following(cluster.nginx.ws_url, cluster.code, after) as (upstream, events):
        assert upstream in {host.address for host in cluster.hosts}, "upgraded through nginx"
        await asyncio.to_thread(cluster.progress, cluster.nginx.url, "through nginx")
        event = await _next(events)
    assert (event["action"], event["note"]) == ("PROGRESS_UPDATE", "through nginx")


async def test_a_subscriber_on_one_host_receives_what_the_other_host_wrote(
    cluster: Cluster,
) -> None:
    a, b = cluster.hosts
    after = await asyncio.to_thread(cluster.latest_cursor)
    async with following(a.ws_url, cluster.code, after) as (_upstream, events):
        await asyncio.to_thread(cluster.progress, b.url, "written on B")
        assert (await _next(events))["note"] == "written on B", "straight to A, written on B"

    after = await asyncio.to_thread(cluster.latest_cursor)
    async with following(cluster.nginx.ws_url, cluster.code, after) as (upstream, events):
        other = next(host for host in cluster.hosts if host.address != upstream)
        await asyncio.to_thread(cluster.progress, other.url, "written on the other")
        await asyncio.to_thread(cluster.progress, cluster.nginx.url, "written through nginx")
        notes = [(await _next(events))["note"], (await _next(events))["note"]]
    assert notes == ["written on the other", "written through nginx"]


def _get(url: str, query: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{url}/graphql", params={"query": query}, headers=headers, timeout=WAIT)


def test_a_second_anonymous_get_comes_from_the_cache_with_pakns_etag(cluster: Cluster) -> None:
    query = f'{{ petition(trackingCode: "{cluster.code}") {{ trackingCode status }} }}'
    first = _get(cluster.nginx.url, query)
    assert first.status_code == 200 and first.headers["x-cache-status"] == "MISS"
    assert first.headers["cache-control"] == f"public, max-age={CACHE_SECONDS}"
    second = _get(cluster.nginx.url, query)
    # a loaded machine may take longer than the max-age between the two: then revalidated
    assert second.headers["x-cache-status"] in {"HIT", "REVALIDATED"}
    assert second.content == first.content
    etag = first.headers["etag"]
    assert second.headers["etag"] == etag
    assert _get(cluster.hosts[1].url, query).headers["etag"] == etag, "pakn's own ETag"

    unchanged = _get(cluster.nginx.url, query, **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag


def test_a_request_with_authorization_is_never_a_cache_hit(cluster: Cluster) -> None:
    query = f'{{ petition(trackingCode: "{cluster.code}") {{ status urgeCount }} }}'
    anonymous = _get(cluster.nginx.url, query)
    assert _get(cluster.nginx.url, query).headers["x-cache-status"] in {"HIT", "REVALIDATED"}
    officer = bearer(cluster.tokens.coordinator)
    for _ in range(3):
        answered = _get(cluster.nginx.url, query, **officer)
        assert answered.status_code == 200
        assert answered.headers["x-cache-status"] == "BYPASS"
        assert answered.headers["cache-control"] == "private, no-store"
        assert "etag" not in answered.headers
    after = _get(cluster.nginx.url, query)
    assert after.headers["x-cache-status"] in {"HIT", "REVALIDATED"}, "nor stored"
    assert after.headers["etag"] == anonymous.headers["etag"]


def test_a_full_log_tile_is_cached_as_immutable(cluster: Cluster) -> None:
    tiles = cluster.nginx.cache / "tiles"
    assert not any(path.is_file() for path in tiles.rglob("*"))
    first = httpx.get(f"{cluster.nginx.url}/log/tile/0/000", timeout=WAIT)
    assert first.status_code == 200 and len(first.content) == 256 * 32
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert first.headers["x-cache-status"] == "MISS"
    second = httpx.get(f"{cluster.nginx.url}/log/tile/0/000", timeout=WAIT)
    assert second.headers["x-cache-status"] == "HIT"
    assert second.content == first.content
    assert any(path.is_file() for path in tiles.rglob("*")), "in the tiles' long-lived cache"
    direct = httpx.get(f"{cluster.hosts[0].url}/log/tile/0/000", timeout=WAIT)
    assert direct.content == first.content


def test_a_cached_get_is_not_served_stale_past_its_max_age(cluster: Cluster) -> None:
    """After a new event, nginx may answer the old body from its cache only while pakn's
    max-age lasts. Each time is taken on the safe side: when a request was sent (nginx
    decides later) and when a response from pakn was received (nginx stored it earlier);
    nginx counts whole seconds, hence the second more."""
    query = f'{{ petition(trackingCode: "{cluster.code}") {{ version }} }}'
    fetched = 0.0  # the newest copy nginx holds came from pakn at the latest then

    def get() -> tuple[float, httpx.Response]:
        nonlocal fetched
        sent = time.monotonic()
        response = _get(cluster.nginx.url, query)
        assert response.status_code == 200
        if response.headers["x-cache-status"] != "HIT":
            fetched = time.monotonic()
        return sent, response

    old = get()[1]
    _until("a cache hit", lambda: get()[1].headers["x-cache-status"] == "HIT")
    cluster.progress(cluster.hosts[0].url, "the version moves")
    written = time.monotonic()
    deadline = written + WAIT
    while True:
        sent, response = get()
        status = response.headers["x-cache-status"]
        if response.content == old.content:
            assert status == "HIT", f"{status}: pakn was asked after the write, and answered old"
            assert sent < fetched + CACHE_SECONDS + 1, "served stale past the max-age"
        else:
            break
        assert time.monotonic() < deadline, f"the new version within {WAIT} s"
        time.sleep(0.2)
    before = old.json()["data"]["petition"]["version"]
    assert response.json()["data"]["petition"]["version"] == before + 1


def _submit(client: httpx.Client, **headers: str) -> list[str]:
    """The userErrors' codes of one submission ([] when it was filed)."""
    body = {"query": SUBMIT, "variables": {"input": submission()}}
    response = client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return [e["code"] for e in response.json()["data"]["submitPetition"]["userErrors"]]


def test_the_submission_limit_counts_the_real_clients_address(cluster: Cluster) -> None:
    def person(address: str) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=cluster.nginx.url, transport=transport, timeout=WAIT)

    with person("127.0.0.2") as first, person("127.0.0.3") as second:
        assert [_submit(first) for _ in range(SUBMISSIONS_PER_HOUR)] == [[]] * 3
        assert _submit(first) == ["RATE_LIMITED"]
        for forged in ("203.0.113.7", "127.0.0.3", "127.0.0.3, 203.0.113.8"):
            assert _submit(first, **{"X-Forwarded-For": forged}) == ["RATE_LIMITED"], forged
        assert _submit(second, **{"X-Forwarded-For": "127.0.0.2"}) == []
        assert _submit(second) == []


def test_the_edge_refuses_oversized_bodies_and_metrics_in_pakns_format(cluster: Cluster) -> None:
    large = httpx.post(
        f"{cluster.nginx.url}/graphql",
        content=b"{" + b" " * (22 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
        timeout=WAIT,
    )
    assert large.status_code == 413
    assert large.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    metrics = httpx.get(f"{cluster.nginx.url}/metrics", timeout=WAIT)
    assert metrics.status_code == 404
    assert metrics.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


# --- faults: a host killed, both restarted in turn, under subscribers and writers ---------


@dataclass
class Subscriber:
    """`gql` following every event through nginx; when its connection drops it subscribes
    again with `after:` = the cursor of the last event it received. `upstream` is the
    host serving it now."""

    url: str
    after: str
    received: list[tuple[str, str]] = field(default_factory=list)
    upstream: str = ""
    reconnections: int = 0

    async def follow(self) -> None:
        while True:
            try:
                async with following(self.url, None, self.after) as (upstream, events):
                    self.upstream = upstream
                    async for data in events:
                        event = data["petitionEvents"]
                        self.after = event["cursor"]
                        self.received.append((event["petition"]["trackingCode"], event["action"]))
            except DROPPED:
                self.upstream = ""
                self.reconnections += 1
                await asyncio.sleep(0.1)


@dataclass
class Officer:
    """BTC's officer posting progress updates on one petition through nginx, one at a
    time, each with the version it read; after a dropped connection, a 502 or a 503 the
    same update is sent again. nginx itself may have sent it to the second host after
    the first applied it: then it is refused STALE_VERSION, and the petition's latest
    event, this update, says it was done once."""

    url: str
    token: str
    code: str
    acknowledged: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _post(self, client: httpx.Client, body: dict[str, Any]) -> dict[str, Any] | None:
        """The response's JSON; None after a dropped connection or a 502 or 503."""
        try:
            response = client.post("/graphql", json=body)
        except httpx.TransportError:
            return None
        self.statuses[response.status_code] += 1
        if response.status_code in (502, 503):
            return None
        assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
        return response.json()  # type: ignore[no-any-return]

    def _until_answered(self, client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while (payload := self._post(client, body)) is None:
            assert time.monotonic() < deadline, f"no answer within {WAIT} s"
            time.sleep(0.1)
        return payload

    def _update(self, client: httpx.Client, note: str) -> None:
        read = {"query": "query($c: String!) { petition(trackingCode: $c) { id version } }"}
        petition = self._until_answered(client, read | {"variables": {"c": self.code}})
        body = {
            "query": MUTATIONS["progress"],
            "variables": {
                "input": action_input("progress", petition["data"]["petition"], note=note)
            },
        }
        refused = self._until_answered(client, body)["data"]["postProgressUpdate"]["userErrors"]
        if refused and refused[0]["code"] == "STALE_VERSION":
            latest = self._until_answered(client, {"query": LATEST, "variables": {"c": self.code}})
            if latest["data"]["petition"]["latestEvent"]["note"] == note:
                refused = []
        if refused:
            self.failures.append(f"{note}: {refused}")
        else:
            self.acknowledged.append(note)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, headers=bearer(self.token), timeout=WAIT) as client:
            number = 0
            while not self._stop.is_set() and not self.failures:
                try:
                    self._update(client, f"progress {number}")
                except Exception as failed:  # the test reads it; a thread would drop it
                    self.failures.append(repr(failed))
                number += 1
                time.sleep(0.05)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * WAIT)


@dataclass
class Faults:
    """A fault test's own two hosts and nginx, on a database of its own."""

    database_url: str
    hosts: tuple[Host, Host]
    nginx: Nginx
    tokens: Tokens


@pytest.fixture
def faults(nginx_binary: str, tmp_path: Path) -> Iterator[Faults]:
    with prepared_database("postgresql", tmp_path) as url:
        tokens = asyncio.run(make_tokens(url))
        with behind_nginx(url, tmp_path, LOAD_SETTINGS, nginx_binary) as (hosts, nginx):
            yield Faults(url, hosts, nginx, tokens)


def _start(faults: Faults) -> tuple[str, str, str]:
    """The petition the officer updates (IN_PROGRESS), then the first petition, submitted
    before the subscribers start: its code and its SUBMIT's cursor, from which they
    follow. Both through nginx."""
    server = HttpServer(faults.nginx.url)
    try:
        workflow = Workflow(server, faults.tokens)
        updated = workflow.in_progress()[0]["trackingCode"]
        first = workflow.submit()["trackingCode"]
        cursor = server.gql(LATEST, {"c": first})["petition"]["latestEvent"]["cursor"]
    finally:
        server.client.close()
    return str(updated), str(first), str(cursor)


async def _stored(url: str, first: str) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Every event after the first petition's SUBMIT, in the log's order; every tracking
    code; the notes of every progress update."""
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(Petition.tracking_code, PetitionEvent.action, PetitionEvent.note)
                .join(Petition, Petition.id == PetitionEvent.petition_id)
                .order_by(PetitionEvent.id)
            )
        ).all()
        codes = list((await session.scalars(select(Petition.tracking_code))).all())
    events = [(code, str(getattr(action, "value", action))) for code, action, _note in rows]
    notes = [
        note
        for _code, action, note in rows
        if str(getattr(action, "value", action)) == "PROGRESS_UPDATE"
    ]
    start = events.index((first, "SUBMIT"))
    return events[start + 1 :], codes, notes


@asynccontextmanager
async def under_load(faults: Faults) -> AsyncIterator[tuple[list[Subscriber], Load, Officer]]:
    """Subscribers, submitters, a reader and the officer, all through nginx, for the
    length of the block; then every subscriber has every stored event exactly once and in
    order, every acknowledged write is stored once, and `pakn audit verify` passes."""
    updated, first, cursor = await asyncio.to_thread(_start, faults)
    subscribers = [Subscriber(faults.nginx.ws_url, cursor) for _ in range(SUBSCRIBERS)]
    following_tasks = [asyncio.create_task(s.follow()) for s in subscribers]
    load = Load(faults.nginx.url, writers=2)
    officer = Officer(faults.nginx.url, faults.tokens.btc, updated)
    try:
        await asyncio.to_thread(
            _until, "every subscriber connected", lambda: all(s.upstream for s in subscribers)
        )
        load.start()
        officer.start()
        try:
            yield subscribers, load, officer
        finally:
            load.stop()
            officer.stop()
        expected, codes, notes = await _stored(faults.database_url, first)
        await asyncio.to_thread(
            _until,
            "every event at every subscriber",
            lambda: (
                all(len(s.received) >= len(expected) for s in subscribers)
                or any(task.done() for task in following_tasks)
            ),
        )
        await asyncio.sleep(0.3)  # and nothing more
    finally:
        for task in following_tasks:
            task.cancel()
        await asyncio.gather(*following_tasks, return_exceptions=True)
    for task in following_tasks:
        assert task.cancelled(), task.exception()
    assert not load.failures, load.failures
    assert not officer.failures, officer.failures
    for subscriber in subscribers:
        assert subscriber.received == expected, "every event once, in order"
    assert sorted(codes) == sorted([updated, first, *load.acknowledged.values()]), "writes"
    assert notes == officer.acknowledged, "every acknowledged update stored once"
    verified = await asyncio.to_thread(pakn, "audit", "verify", database_url=faults.database_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _writes(load: Load, officer: Officer) -> int:
    return len(load.acknowledged) + len(officer.acknowledged)


async def test_kill_9_of_a_host_under_subscribers_and_writers(faults: Faults) -> None:
    async with under_load(faults) as (subscribers, load, officer):
        await asyncio.to_thread(_until, "writes before", lambda: _writes(load, officer) >= 8)
        served = Counter(s.upstream for s in subscribers)
        victim = next(h for h in faults.hosts if h.address == served.most_common(1)[0][0])
        survivor = next(h for h in faults.hosts if h is not victim)
        await asyncio.to_thread(victim.kill)
        written = _writes(load, officer)
        await asyncio.to_thread(
            _until, "writes after", lambda: _writes(load, officer) >= written + 8
        )
        await asyncio.to_thread(
            _until,
            "every subscriber on the survivor",
            lambda: all(s.upstream == survivor.address for s in subscribers),
        )
    assert sum(s.reconnections for s in subscribers) >= served[victim.address] >= 1
    assert 502 not in load.statuses and 502 not in officer.statuses, faults.nginx.errors()


def _routed_to(nginx: Nginx, host: Host) -> bool:
    """Whether nginx sent a request to `host` (it leaves a failed host out for a while)."""
    try:
        response = httpx.get(f"{nginx.url}/health", timeout=WAIT)
    except httpx.TransportError:
        return False
    return response.headers.get("x-upstream") == host.address


async def test_a_rolling_restart_under_subscribers_and_writers_drops_nothing(
    faults: Faults,
) -> None:
    async with under_load(faults) as (subscribers, load, officer):
        await asyncio.to_thread(_until, "writes before", lambda: _writes(load, officer) >= 8)
        for host in faults.hosts:
            code = await asyncio.to_thread(host.terminate)
            assert code == 0, host.log.read_text()[-3000:]
            await asyncio.to_thread(host.start)
            await asyncio.to_thread(
                _until,
                f"nginx routing to {host.address} again",
                lambda host=host: _routed_to(faults.nginx, host),
            )
            written = _writes(load, officer)
            await asyncio.to_thread(
                _until,
                "writes after",
                lambda written=written: _writes(load, officer) >= written + 4,
            )
    assert sum(s.reconnections for s in subscribers) >= 1, "the hosts served subscribers"
    statuses = load.statuses + officer.statuses
    assert set(statuses) == {200}, f"{statuses}\n{faults.nginx.errors()}"
    assert load.dropped == 0, faults.nginx.errors()
