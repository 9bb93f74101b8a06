"""At most `max_exports_per_client` exports per client address at once (issue 13, point 4):
one more is refused before its first byte with 429, `Retry-After` and TOO_MANY_EXPORTS,
while another address is still served; a slot comes back when an export ends, a client
that goes away mid-stream included; a HEAD, a 304 and a refused filter take none.

Exports are held open for real: a database of EXPORT_PETITIONS demo petitions (a CSV of
about 10 MB) and clients that read only the first chunk, with a small receive buffer and
no compression, so the server blocks on a full socket long before the stream ends. Each
test runs on SQLite and PostgreSQL against a real server; waits have deadlines, nothing
is timed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from app.settings import Settings
from app.web.export_routes import RETRY_AFTER_SECONDS, ExportSlots
from tests.support.databases import fresh_database
from tests.support.demo import load_demo
from tests.support.server import RunningServer
from tests.support.waiting import wait_until

EXPORT_PETITIONS = 12_000
"""About 10.7 MB of CSV: more than twice what the server's socket (4 MB at most here), its
write buffer and a client's 16 KB receive buffer hold, so a stream read no further than its
first chunk stays open."""
LIMIT = 2
OTHER_ADDRESS = "127.0.0.2"
CSV = "/export/petitions.csv"
NDJSON = "/export/petitions.ndjson"
STATS = "/export/stats.csv"


@pytest.fixture(scope="module")
def export_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(backend, tmp_path_factory.mktemp("export-limits")) as url:
        asyncio.run(load_demo(url, EXPORT_PETITIONS, 13))
        yield url


def _settings(url: str, limit: int) -> Settings:
    # Reads are not limited here: the export limit is under test, not the read rate.
    return Settings(
        database_url=url,
        feed_poll_seconds=3600,
        max_query_cost=0,
        read_rate=0,
        max_exports_per_client=limit,
    )


@pytest.fixture(scope="module")
def export_server(export_database: str) -> Iterator[RunningServer]:
    with RunningServer(_settings(export_database, LIMIT)) as server:
        yield server


def _client(server: RunningServer, address: str = "127.0.0.1") -> httpx.Client:
    """A client from `address` with a small receive buffer, asking for no compression."""
    transport = httpx.HTTPTransport(
        local_address=address,
        socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)],
    )
    return httpx.Client(
        base_url=server.url,
        transport=transport,
        timeout=30,
        headers={"Accept-Encoding": "identity"},
    )


@contextmanager
def held_export(
    server: RunningServer, path: str, address: str = "127.0.0.1"
) -> Iterator[httpx.Response]:
    """An export that has started (status 200, its first chunk read) and is read no
    further; leaving the block closes the connection mid-body, as a client that gives up."""
    with _client(server, address) as client, client.stream("GET", path) as response:
        assert response.status_code == 200, response.read()
        chunks = response.iter_raw()  # kept: dropping the iterator closes the connection
        assert next(chunks)
        yield response


def running(server: RunningServer, address: str = "127.0.0.1") -> int:
    """The exports the server counts for `address` now (read across threads)."""
    slots: ExportSlots | None = getattr(server.starlette.state, "export_slots", None)
    return 0 if slots is None else slots.running[address]


def assert_too_many(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"].startswith("application/json")
    assert "content-disposition" not in response.headers
    (error,) = response.json()["errors"]  # the shape of every refusal (error_body)
    assert set(error) == {"message", "extensions"} and error["message"]
    assert error["extensions"] == {"code": "TOO_MANY_EXPORTS", "limit": LIMIT}


def test_one_export_more_than_the_limit_is_refused_and_another_address_is_served(
    export_server: RunningServer,
) -> None:
    with ExitStack() as held:
        held.enter_context(held_export(export_server, CSV))
        held.enter_context(held_export(export_server, NDJSON))
        assert running(export_server) == LIMIT

        with _client(export_server) as client:
            for path in (CSV, NDJSON, STATS, f"{CSV}?statuses=ANSWERED"):
                assert_too_many(client.get(path))
            # Answers that need no slot: a HEAD, a 304, a refused filter, the descriptor.
            head = client.head(CSV)
            assert head.status_code == 200 and head.content == b""
            assert (
                client.get(CSV, headers={"If-None-Match": head.headers["etag"]}).status_code == 304
            )
            refused = client.get(CSV, params={"submittedFrom": "0001-01-01T00:00:00+14:00"})
            assert refused.status_code == 400
            assert client.get("/export/datapackage.json").status_code == 200

        # Another address has slots of its own, streamed and not.
        with held_export(export_server, CSV, OTHER_ADDRESS) as other:
            assert other.headers["content-type"].startswith("text/csv")
            assert running(export_server, OTHER_ADDRESS) == 1
            with _client(export_server, OTHER_ADDRESS) as client:
                assert client.get(STATS).status_code == 200
        assert running(export_server) == LIMIT, "a held export ended: the premise failed"
    wait_until(lambda: running(export_server) == 0, "every slot back")


def test_a_client_that_goes_away_mid_stream_gives_its_slot_back(
    export_server: RunningServer,
) -> None:
    with held_export(export_server, CSV), ExitStack() as second:
        second.enter_context(held_export(export_server, NDJSON))
        with _client(export_server) as client:
            assert_too_many(client.get(CSV))
        second.close()  # the client drops the connection halfway through the body
        wait_until(lambda: running(export_server) == 1, "the dropped export's slot back")
        with held_export(export_server, CSV) as again:
            assert again.status_code == 200
            assert running(export_server) == LIMIT
    wait_until(lambda: running(export_server) == 0, "every slot back")


def test_exports_that_complete_give_their_slots_back(export_server: RunningServer) -> None:
    """More complete exports in a row than the limit, each read to its end."""
    with _client(export_server) as client:
        for path in (CSV, NDJSON, STATS, CSV):
            response = client.get(path, params={} if path == STATS else {"statuses": "CLOSED"})
            assert response.status_code == 200
            assert response.content
            wait_until(lambda: running(export_server) == 0, "the slot back")


def test_no_limit_at_zero(export_database: str) -> None:
    with RunningServer(_settings(export_database, 0)) as server, ExitStack() as held:
        for path in (CSV, NDJSON, CSV):
            held.enter_context(held_export(server, path))
        assert running(server) == 3
        with _client(server) as client:
            assert client.get(STATS).status_code == 200


# --- the counting, no server -----------------------------------------------


def test_slots_count_per_address_and_come_back_once() -> None:
    slots = ExportSlots(2)
    first, second = slots.take("a"), slots.take("a")
    assert first is not None and second is not None
    assert slots.take("a") is None
    other = slots.take("b")
    assert other is not None and slots.running == {"a": 2, "b": 1}
    first.release()
    first.release()  # a second release gives nothing back twice
    assert slots.running == {"a": 1, "b": 1}
    with slots.take("a") or pytest.fail("a slot was free"):
        assert slots.running["a"] == 2
    second.release()
    other.release()
    assert slots.running == {}
    unlimited = ExportSlots(0)
    assert all(unlimited.take("a") is not None for _ in range(50))
