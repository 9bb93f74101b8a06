"""Whose X-Forwarded-For is believed (PAKN_TRUSTED_PROXIES): nobody's by default, not even
loopback's, so a forged header starts no limit afresh; a listed proxy's is, and then each
forwarded address is a client of its own, for the submission limit and the read limit.

The issue's reproduction: "after RATE_LIMITED, four more submissions went through with
forged headers" (uvicorn believed X-Forwarded-For from 127.0.0.1 by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.support.cli import pakn_serve
from tests.support.server import RunningServer
from tests.support.workflow import SUBMIT, count_events, submission

SUBMISSIONS = 3
READS = 6
QUERY = {"query": "{ fields { code } }"}


@contextmanager
def server_trusting(
    database_url: str, *proxies: str, read_rate: int = READS
) -> Iterator[RunningServer]:
    settings = Settings(
        database_url=database_url,
        submissions_per_hour=SUBMISSIONS,
        read_rate=read_rate,
        trusted_proxies=proxies,
        secret_key="k",
    )
    with RunningServer(settings) as server:
        yield server


def forwarded(address: str) -> dict[str, str]:
    return {"x-forwarded-for": address}


def submit(client: httpx.Client, headers: dict[str, str] | None = None) -> list[str]:
    """The userErrors' codes of one submission ([] when it was accepted)."""
    body = {"query": SUBMIT, "variables": {"input": submission()}}
    response = client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return [e["code"] for e in response.json()["data"]["submitPetition"]["userErrors"]]


def read(client: httpx.Client, headers: dict[str, str] | None = None) -> int:
    return client.post("/graphql", json=QUERY, headers=headers).status_code


def test_forged_forwarded_for_from_loopback_is_not_believed(empty_database: str) -> None:
    with server_trusting(empty_database, read_rate=0) as server:
        client = server.client
        assert [submit(client) for _ in range(SUBMISSIONS + 1)][-1] == ["RATE_LIMITED"]
        forged = [submit(client, forwarded(f"203.0.113.{n}")) for n in range(1, 5)]
        assert forged == [["RATE_LIMITED"]] * 4
    assert count_events(empty_database) == SUBMISSIONS


def test_forged_forwarded_for_starts_no_read_bucket_afresh(lifecycle_database: str) -> None:
    with server_trusting(lifecycle_database) as server:
        for _ in range(READS):
            assert read(server.client) == 200
        assert read(server.client) == 429
        assert [read(server.client, forwarded(f"203.0.113.{n}")) for n in range(1, 5)] == [429] * 4


def test_a_trusted_proxys_forwarded_for_is_believed(empty_database: str) -> None:
    with server_trusting(empty_database, "127.0.0.1", read_rate=0) as server:
        client = server.client
        first, second = forwarded("203.0.113.1"), forwarded("203.0.113.2")
        codes = [submit(client, first) for _ in range(SUBMISSIONS + 1)]
        assert codes == [[]] * SUBMISSIONS + [["RATE_LIMITED"]]
        assert submit(client, second) == []  # another forwarded address, another client
        # a client's own entry before the proxy's does not escape: the proxy's entry counts
        assert submit(client, forwarded("198.51.100.7, 203.0.113.1")) == ["RATE_LIMITED"]
        assert submit(client) == []  # the proxy itself, without the header
    assert count_events(empty_database) == SUBMISSIONS + 2


def test_a_trusted_proxys_clients_get_read_buckets_of_their_own(lifecycle_database: str) -> None:
    with server_trusting(lifecycle_database, "127.0.0.0/31") as server:
        first = forwarded("2001:db8::1")
        assert [read(server.client, first) for _ in range(READS + 1)][-1] == 429
        assert read(server.client, forwarded("2001:db8::2")) == 200
        # from an address outside the trusted network the header is ignored again
        transport = httpx.HTTPTransport(local_address="127.0.0.3")
        with httpx.Client(base_url=server.url, transport=transport) as untrusted:
            assert [read(untrusted, first) for _ in range(READS + 1)] == [200] * READS + [429]


@pytest.mark.parametrize("entry", ["nginx", "*", "10.0.0.1/33", "127.0.0.1:8080"])
def test_an_entry_that_is_not_an_address_stops_the_server(entry: str) -> None:
    with pytest.raises(ValueError, match="PAKN_TRUSTED_PROXIES"):
        create_app(Settings(trusted_proxies=("127.0.0.1", entry)))


def test_pakn_serve_believes_only_the_trusted_proxies(lifecycle_database: str) -> None:
    limits = {"PAKN_READ_RATE": str(READS)}
    with (
        pakn_serve(lifecycle_database, settings=limits) as url,
        httpx.Client(base_url=url) as client,
    ):
        assert [read(client) for _ in range(READS + 1)][-1] == 429
        assert read(client, forwarded("203.0.113.1")) == 429
    trusting = limits | {"PAKN_TRUSTED_PROXIES": "127.0.0.1"}
    with (
        pakn_serve(lifecycle_database, settings=trusting) as url,
        httpx.Client(base_url=url) as client,
    ):
        first = forwarded("203.0.113.1")
        assert [read(client, first) for _ in range(READS + 1)][-1] == 429
        assert read(client, forwarded("203.0.113.2")) == 200
