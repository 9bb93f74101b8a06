"""Read limits (PAKN_READ_RATE): a token bucket per client address in each worker, ten
times the rate for officers, 429 with Retry-After and the RateLimit headers beyond it.

A small rate (6 a minute: a request every 10 s) keeps the tests fast and leaves no room
for a refill to change an answer. Clients speak from other loopback addresses
(127.0.0.2, 127.0.0.3) to be other clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.settings import Settings
from app.web.read_limits import Buckets, OfficerTokens, Policy, ReadLimits
from tests.support.cli import pakn_serve
from tests.support.server import RunningServer
from tests.support.workflow import Tokens, bearer

QUERY = {"query": "{ fields { code } }"}
RATE = 6
PUBLIC_POLICY = '"read";q=6;w=60'
OFFICER_POLICY = '"officer";q=60;w=60'
REMAINING = re.compile(r'"(read|officer)";r=(\d+);t=(\d+)')


@contextmanager
def limited_server(database_url: str, **settings: object) -> Iterator[RunningServer]:
    limits = Settings(database_url=database_url, read_rate=RATE, **settings)  # type: ignore[arg-type]
    with RunningServer(limits) as server:
        yield server


@contextmanager
def client_at(url: str, address: str) -> Iterator[httpx.Client]:
    """An HTTP client whose requests come from `address` (a loopback address)."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=url, transport=transport, timeout=30) as client:
        yield client


def read(client: httpx.Client, token: str | None = None) -> httpx.Response:
    return client.post("/graphql", json=QUERY, headers=bearer(token))


def remaining(response: httpx.Response) -> tuple[str, int, int]:
    """The RateLimit field's policy, available requests and seconds to the next one."""
    match = REMAINING.fullmatch(response.headers["ratelimit"])
    assert match, response.headers["ratelimit"]
    return match[1], int(match[2]), int(match[3])


def assert_refused(response: httpx.Response, policy: str) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    assert response.headers["ratelimit-policy"] == policy
    assert remaining(response)[1:] == (0, retry_after)
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": retry_after}


def test_reads_beyond_the_rate_are_refused_with_retry_after(lifecycle_database: str) -> None:
    with limited_server(lifecycle_database) as server, client_at(server.url, "127.0.0.2") as one:
        answers = [read(one) for _ in range(RATE)]
        assert [a.status_code for a in answers] == [200] * RATE
        assert all(a.headers["ratelimit-policy"] == PUBLIC_POLICY for a in answers)
        left = [remaining(a)[1] for a in answers]
        assert left == sorted(left, reverse=True) and left[-1] == 0 and left[0] >= RATE - 2
        assert_refused(read(one), PUBLIC_POLICY)
        # GET, the exports, the reports and the files draw on the same bucket
        assert_refused(one.get("/graphql", params=QUERY), PUBLIC_POLICY)
        assert_refused(one.get("/export/petitions.csv"), PUBLIC_POLICY)
        assert_refused(one.get("/reports/2026-Q1"), PUBLIC_POLICY)
        assert_refused(one.get(f"/files/{'0' * 64}"), PUBLIC_POLICY)
        assert_refused(
            one.post("/graphql", files={"0": ("a.pdf", b"%PDF-1.4", "application/pdf")}),
            PUBLIC_POLICY,
        )


def test_another_address_has_its_own_bucket(lifecycle_database: str) -> None:
    with (
        limited_server(lifecycle_database) as server,
        client_at(server.url, "127.0.0.2") as one,
        client_at(server.url, "127.0.0.3") as other,
    ):
        for _ in range(RATE):
            read(one)
        assert_refused(read(one), PUBLIC_POLICY)
        fresh = read(other)
        assert fresh.status_code == 200 and remaining(fresh)[:2] == ("read", RATE - 1)


def test_health_is_not_limited_and_a_socket_spends_the_same_bucket(lifecycle_database: str) -> None:
    """A socket's upgrade and operations spend the address's bucket, so a socket is no way
    around the rate (tests/web/test_socket_limits.py counts the operations)."""
    with limited_server(lifecycle_database) as server, client_at(server.url, "127.0.0.2") as one:
        for _ in range(RATE):
            read(one)
        assert_refused(read(one), PUBLIC_POLICY)
        for _ in range(3 * RATE):
            health = one.get("/health")
            assert health.status_code == 200 and "ratelimit" not in health.headers
        assert asyncio.run(_socket_close_code(server.url)) == 4429


async def _socket_close_code(url: str) -> int | None:
    async with connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        local_addr=("127.0.0.2", 0),
    ) as socket:
        with contextlib.suppress(ConnectionClosed):
            await socket.send('{"type": "connection_init"}')
            await asyncio.wait_for(socket.recv(), 10)
        await asyncio.wait_for(socket.wait_closed(), 10)
        return socket.close_code


def test_an_officer_gets_ten_times_the_rate(
    lifecycle_database: str, lifecycle_tokens: Tokens
) -> None:
    officer = lifecycle_tokens.coordinator
    with limited_server(lifecycle_database) as server, client_at(server.url, "127.0.0.2") as one:
        server.log.clear()
        answers = [read(one, officer) for _ in range(10 * RATE)]
        assert [a.status_code for a in answers] == [200] * (10 * RATE)
        assert all(a.headers["ratelimit-policy"] == OFFICER_POLICY for a in answers)
        assert remaining(answers[-1])[:2] == ("officer", 0)
        assert_refused(read(one, officer), OFFICER_POLICY)
        # the token was looked up once, not once a request (remembered for 30 s)
        look_ups = [s for s in server.log.statements if "officer_tokens" in s]
        assert len(look_ups) == 1, look_ups
        # the public from the officer's address still has its whole bucket
        public = read(one)
        assert public.status_code == 200 and remaining(public)[:2] == ("read", RATE - 1)


def test_a_forged_bearer_token_gets_the_public_rate(lifecycle_database: str) -> None:
    with limited_server(lifecycle_database) as server, client_at(server.url, "127.0.0.2") as one:
        server.log.clear()
        forged = [read(one, f"pakn_{secrets.token_urlsafe(32)}") for _ in range(RATE)]
        assert all(a.headers["ratelimit-policy"] == PUBLIC_POLICY for a in forged)
        assert 429 not in [a.status_code for a in forged]
        # each new token costs a look-up and a request; once the bucket is empty, neither
        for _ in range(3):
            assert_refused(read(one, f"pakn_{secrets.token_urlsafe(32)}"), PUBLIC_POLICY)
        assert_refused(read(one), PUBLIC_POLICY)
        look_ups = [s for s in server.log.statements if "officer_tokens" in s]
        assert len(look_ups) == RATE, look_ups


def test_two_workers_each_enforce_half_the_rate(lifecycle_database: str) -> None:
    with (
        limited_server(lifecycle_database, workers=2) as server,
        client_at(server.url, "127.0.0.2") as one,
    ):
        answers = [read(one) for _ in range(RATE // 2)]
        assert [a.status_code for a in answers] == [200] * (RATE // 2)
        assert answers[0].headers["ratelimit-policy"] == '"read";q=3;w=60'
        assert_refused(read(one), '"read";q=3;w=60')


def test_pakn_serve_gives_each_worker_its_share(backend: str, lifecycle_database: str) -> None:
    """`pakn serve --workers N` tells each worker N (PAKN_WORKERS): on PostgreSQL two
    workers, each with half of 12 a minute; on SQLite one, with all of it."""
    workers = 2 if backend == "postgresql" else 1
    policy = f'"read";q={12 // workers};w=60'
    with pakn_serve(lifecycle_database, workers, {"PAKN_READ_RATE": "12"}) as url:
        for address in ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"):
            with client_at(url, address) as client:  # a new connection, to either worker
                answer = read(client)
                assert answer.status_code == 200, answer.text
                assert answer.headers["ratelimit-policy"] == policy
        with client_at(url, "127.0.0.6") as one:  # one connection: one worker's bucket
            for _ in range(12 // workers):
                assert read(one).status_code == 200
            assert_refused(read(one), policy)


def test_a_rate_of_zero_turns_the_limit_off(lifecycle_database: str) -> None:
    with (
        RunningServer(Settings(database_url=lifecycle_database, read_rate=0)) as server,
        client_at(server.url, "127.0.0.2") as one,
    ):
        answers = [read(one) for _ in range(2 * RATE)]
        assert [a.status_code for a in answers] == [200] * (2 * RATE)
        assert "ratelimit" not in answers[-1].headers


# The bookkeeping itself, on a clock the test moves.


def test_a_bucket_refills_continuously_and_idle_buckets_are_dropped() -> None:
    policy = Policy.per_minute("read", 6)
    buckets = Buckets(idle_after=policy.window, max_buckets=3)
    for _ in range(6):
        assert buckets.take(("a", None), policy, 0.0)[0]
    assert buckets.take(("a", None), policy, 0.0) == (False, 0.0)
    assert policy.wait(0.0) == 10 and policy.wait(0.5) == 5
    assert buckets.take(("a", None), policy, 10.0) == (True, 0.0)  # one more after 10 s
    for name in ("b", "c", "d"):
        buckets.take((name, None), policy, 20.0)
    assert len(buckets) == 3  # beyond the bound, the least recently used ("a") went first
    buckets.take(("e", None), policy, 20.0 + policy.window)
    assert len(buckets) == 1  # the others have been idle a whole window: full, dropped


def test_forged_tokens_do_not_push_out_officers_tokens() -> None:
    async def lookup(authorization: str) -> int | None:
        return 7 if authorization == "Bearer officer" else None

    tokens = OfficerTokens(lookup, ttl=30, size=2)

    async def run() -> None:
        assert await tokens.look_up("Bearer officer", b"officer", 0.0) == 7
        for n in range(10):
            assert await tokens.look_up(f"Bearer forged{n}", f"forged{n}".encode(), 0.0) is None
        known, token_id = tokens.recall(b"officer", 29.0)
        assert (known.name, token_id) == ("OFFICER", 7)
        assert tokens.recall(b"officer", 31.0)[0].name == "RECHECK"
        assert tokens.recall(b"forged0", 1.0)[0].name == "UNKNOWN"  # pushed out by forged9
        assert tokens.recall(b"forged9", 1.0)[0].name == "PUBLIC"

    asyncio.run(run())


@pytest.mark.parametrize("share", [0.5, 6, 85.7, 600])
def test_the_policy_is_whole_requests_over_whole_seconds(share: float) -> None:
    policy = Policy.per_minute("read", share)
    assert policy.capacity >= 1 and policy.window >= 60
    assert policy.header == f'"read";q={policy.capacity};w={policy.window}'.encode()


def test_the_middleware_is_built_once_per_worker_share() -> None:
    async def nobody(_: str) -> int | None:
        return None

    async def app(*_: object) -> None:
        raise AssertionError("not called")

    limits = ReadLimits(app, 600 / 4, nobody)
    assert (limits.public.capacity, limits.officer.capacity) == (150, 1500)
