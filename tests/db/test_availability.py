"""Which exceptions mean "the database is out of reach for now" (#14, point 6: the review's
follow-up): each shape an outage takes, raised directly, chained and suppressed; pakn's own
time limits keep their codes; and a server whose database's port closes answers GraphQL,
/health and the exports with 503 DATABASE_UNAVAILABLE, never 500."""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import exc
from sqlalchemy.engine import make_url

from app.settings import Settings
from app.web.deadline import OperationTimedOut
from db.availability import database_unavailable
from tests.db.test_postgres_restart import assert_unavailable
from tests.support.server import RunningServer
from tests.support.tcp_relay import TcpRelay

OUTAGES = {
    "refused": ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
    "reset": ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
    "host-unreachable": OSError(errno.EHOSTUNREACH, "No route to host"),
    "network-unreachable": OSError(errno.ENETUNREACH, "Network is unreachable"),
    "address-not-available": OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"),
    "several-addresses": OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432, 0, 0), "
        "[Errno 99] Cannot assign requested address"
    ),
    "connect-timeout": TimeoutError(),  # asyncio.TimeoutError is TimeoutError since 3.11
    "dns": socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    "pool-exhausted": exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
    "shutting-down": asyncpg.exceptions.AdminShutdownError("terminating connection"),
    "starting-up": asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    "sqlite-locked": sqlite3.OperationalError("database is locked"),
    "sqlite-unopenable": sqlite3.OperationalError("unable to open database file"),
    "connection-closed": asyncpg.exceptions.InterfaceError("connection is closed"),
}

BUGS = {
    "value": ValueError("a bug"),
    "file-missing": FileNotFoundError(errno.ENOENT, "No such file or directory"),
    "permission": PermissionError(errno.EACCES, "Permission denied"),
    "request-timeout": OperationTimedOut(),
    "sqlite-interrupted": sqlite3.OperationalError("interrupted"),
    "sqlite-syntax": sqlite3.OperationalError('near "SELEC": syntax error'),
    "query-canceled": asyncpg.exceptions.QueryCanceledError("canceling statement"),
    "other-oserror": OSError("something else"),
}


def _raised(make: object) -> BaseException:
    """`make()`'s exception, as raised (so its chain is Python's own)."""
    try:
        make()  # type: ignore[operator]
    except BaseException as error:
        return error
    raise AssertionError("nothing raised")


def _raise(error: BaseException) -> None:
    raise error


@pytest.mark.parametrize("error", OUTAGES.values(), ids=OUTAGES.keys())
def test_each_outage_is_unavailable(error: BaseException) -> None:
    assert database_unavailable(error)


@pytest.mark.parametrize("error", BUGS.values(), ids=BUGS.keys())
def test_bugs_and_own_time_limits_are_not(error: BaseException) -> None:
    assert not database_unavailable(error)


@pytest.mark.parametrize("error", OUTAGES.values(), ids=OUTAGES.keys())
def test_an_outage_wrapped_by_sqlalchemy_or_raised_from_is_unavailable(
    error: BaseException,
) -> None:
    wrapped = exc.OperationalError("SELECT 1", {}, error)
    wrapped.__cause__ = error
    assert database_unavailable(wrapped)

    def explicit() -> None:
        try:
            _raise(error)
        except BaseException as outage:
            raise RuntimeError("while reading") from outage

    def implicit() -> None:
        try:
            _raise(error)
        except BaseException:
            raise RuntimeError("while handling it")  # noqa: B904 - the implicit chain is the case

    assert database_unavailable(_raised(explicit))
    assert database_unavailable(_raised(implicit))


def test_an_error_raised_from_none_while_handling_an_outage_is_a_bug() -> None:
    def suppressed() -> None:
        try:
            _raise(ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"))
        except ConnectionError:
            raise ValueError("a bug in the handler") from None

    error = _raised(suppressed)
    assert error.__context__ is not None and error.__suppress_context__
    assert not database_unavailable(error)


def test_a_suppressed_context_under_an_explicit_cause_follows_the_cause() -> None:
    def caused() -> None:
        try:
            _raise(ValueError("the first"))
        except ValueError:
            raise RuntimeError("wrapped") from ConnectionResetError("reset")

    assert database_unavailable(_raised(caused))

    def caused_by_a_bug() -> None:
        try:
            _raise(ConnectionResetError("reset"))
        except ConnectionError:
            raise RuntimeError("wrapped") from ValueError("a bug")

    assert not database_unavailable(_raised(caused_by_a_bug))


def test_a_cycle_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert not database_unavailable(first)


@pytest.fixture
def relayed_server(backend: str, demo_database: str) -> Iterator[tuple[RunningServer, TcpRelay]]:
    if backend != "postgresql":
        pytest.skip(
            "SQLite has no port to close; a database file in a missing or unopenable folder "
            "stops the server at start (it never answers a client)"
        )
    url = make_url(demo_database)
    with TcpRelay(url.host or "127.0.0.1", url.port or 5432) as relay:
        relayed = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
        settings = Settings(database_url=relayed, feed_poll_seconds=3600)
        with RunningServer(settings) as server:
            yield server, relay


READ = "{ petitions(first: 2) { edges { node { trackingCode } } } }"
PATHS = (
    "/health",
    "/export/petitions.csv",
    "/export/petitions.ndjson",
    "/export/stats.csv",
    "/export/datapackage.json",
    "/log/checkpoint",
    "/log/tile/0/000.p/1",
)


def test_a_closed_database_port_is_a_503_on_every_endpoint(
    relayed_server: tuple[RunningServer, TcpRelay],
) -> None:
    server, relay = relayed_server
    assert server.post(READ).status_code == 200
    assert server.client.get("/health").status_code == 200
    relay.cut()
    for _ in range(2):  # the pool's dropped connections first, then new ones refused
        for response in (server.post(READ), *(server.client.get(path) for path in PATHS)):
            if response.request.url.path == "/health":
                assert response.status_code == 503, response.text
                assert response.json()["errors"][0]["extensions"]["code"] == (
                    "DATABASE_UNAVAILABLE"
                )
            else:
                assert_unavailable(response)
