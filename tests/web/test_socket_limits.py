"""WebSockets obey limits as HTTP requests do: sockets per client address and in all,
operations per socket, frame size, an init timeout, and bad frames refused with the
protocol's close code (4400) or, on legacy graphql-ws, an error and a normal close; never a
server traceback."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.locks import writers_locked_out_async
from tests.support.server import RunningServer
from tests.support.workflow import SUBMIT, Tokens, submission, workflow_settings
from tests.support.ws_client import GraphQLSocket

PROTOCOLS = [False, True]
PROTOCOL_IDS = ["graphql-transport-ws", "graphql-ws"]
AGENCIES = "{ agencies { nodes { code } } }"
SUBSCRIBE = "subscription { petitionEvents { cursor } }"
COUNT = "{ petitions(first: 3) { totalCount } }"


@pytest.fixture
def limited(empty_database: str) -> Iterator[RunningServer]:
    settings = workflow_settings(
        empty_database,
        max_sockets_per_client=2,
        max_sockets=3,
        max_subscriptions_per_socket=2,
        max_body_bytes=4096,
        socket_init_timeout_seconds=0.5,
        feed_poll_seconds=0.5,
    )
    with RunningServer(settings) as server:
        yield server


@pytest.fixture
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The server runs in this process: its log records land here."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]


async def _refused(socket: GraphQLSocket) -> tuple[int | None, list[dict[str, object]]]:
    """Open `socket` and send `connection_init`; how the server closes it."""
    await socket.open()
    with contextlib.suppress(ConnectionClosed):  # closed before it could be sent
        await socket.send({"type": "connection_init", "payload": {}})
    return await socket.closing(5)


async def _until_closed_on_the_server(server: RunningServer, seconds: float = 5) -> None:
    """A client's close returns before the server's handler has let go of the socket."""
    view = server.starlette.state.graphql
    deadline = asyncio.get_running_loop().time() + seconds
    while view.sockets.open:
        assert asyncio.get_running_loop().time() < deadline, "sockets still open"
        await asyncio.sleep(0.02)


def _codes(messages: list[dict[str, object]]) -> list[object]:
    return [m["payload"]["extensions"]["code"] for m in messages]  # type: ignore[index]


@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_sockets_per_client_address_are_limited(
    limited: RunningServer, legacy: bool, no_tracebacks: None
) -> None:
    async with (
        GraphQLSocket(limited.url, legacy=legacy),
        GraphQLSocket(limited.url, legacy=legacy),
    ):
        code, said = await _refused(GraphQLSocket(limited.url, legacy=legacy))
        if legacy:
            assert (code, _codes(said)) == (1000, ["TOO_MANY_SOCKETS"])
        else:
            assert (code, said) == (4429, [])
        async with GraphQLSocket(limited.url, legacy=legacy, client_address="127.0.0.2") as other:
            reply = await other.operation(AGENCIES)
            assert reply["type"] in {"next", "data"}, reply
    await _until_closed_on_the_server(limited)
    async with GraphQLSocket(limited.url, legacy=legacy) as again:
        assert (await again.operation(AGENCIES))["payload"]["data"]


async def test_sockets_in_all_are_limited(limited: RunningServer, no_tracebacks: None) -> None:
    addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    async with (
        GraphQLSocket(limited.url, client_address=addresses[0]),
        GraphQLSocket(limited.url, client_address=addresses[1]),
        GraphQLSocket(limited.url, client_address=addresses[2]),
    ):
        code, _said = await _refused(GraphQLSocket(limited.url, client_address="127.0.0.5"))
        assert code == 4429


@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_operations_per_socket_are_limited(
    limited: RunningServer, legacy: bool, no_tracebacks: None
) -> None:
    async with GraphQLSocket(limited.url, legacy=legacy) as socket:
        await socket.subscribe()
        first = socket.operation_id
        await socket.subscribe()
        await socket.subscribe()
        refusal = await socket.next_message(5)
        assert refusal["type"] == "error"
        payload = refusal["payload"]
        error = payload[0] if isinstance(payload, list) else payload
        assert error["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": 2}
        await socket.send({"id": first, "type": "stop" if legacy else "complete"})
        if legacy:
            assert (await socket.next_message(5))["type"] == "complete"
        await socket.subscribe()
        assert await socket.nothing_within(0.5), "the fourth is accepted once one ended"


@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_a_frame_over_the_body_limit_is_refused(
    limited: RunningServer, legacy: bool, no_tracebacks: None
) -> None:
    async with GraphQLSocket(limited.url, legacy=legacy) as socket:
        padding = " " * 5000
        await socket.send(
            {"id": "1", "type": "start" if legacy else "subscribe", "payload": {"query": padding}}
        )
        code, said = await socket.closing(5)
    if legacy:
        assert (code, _codes(said)) == (1000, ["BAD_REQUEST"])
    else:
        assert (code, said) == (4400, [])


@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_a_socket_that_never_initialises_is_closed(
    limited: RunningServer, legacy: bool, no_tracebacks: None
) -> None:
    socket = GraphQLSocket(limited.url, legacy=legacy)
    await socket.open()
    code, said = await socket.closing(5)
    if legacy:
        assert (code, _codes(said)) == (1000, ["CONNECTION_INIT_TIMEOUT"])
    else:
        assert (code, said) == (4408, [])


BAD_FRAMES = [
    "not json",
    "[]",
    "1",
    '"hello"',
    "null",
    '{"type": 5}',
    '{"type": []}',
    '{"type": {}}',
    '{"id": "1", "type": "SUBSCRIBE_PLACEHOLDER", "payload": null}',
    '{"id": "1", "type": "SUBSCRIBE_PLACEHOLDER", "payload": {"query": 7}}',
    '{"id": 1, "type": "SUBSCRIBE_PLACEHOLDER", "payload": {"query": "{ agencies { code } }"}}',
    '{"id": "1", "type": "SUBSCRIBE_PLACEHOLDER", "payload": {"query": "{ x }", "variables": []}}',
    "[" * 1500 + "]" * 1500,  # nested deeper than JSON parsers go (1024), under the limit
    '{"a":' * 600 + "1" + "}" * 600,
]


@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_bad_frames_get_the_protocols_refusal_and_no_traceback(
    limited: RunningServer, legacy: bool, no_tracebacks: None
) -> None:
    start = "start" if legacy else "subscribe"
    for frame in [*BAD_FRAMES, b"\x00binary"]:
        async with GraphQLSocket(limited.url, legacy=legacy) as socket:
            assert socket.ws is not None
            if isinstance(frame, str):
                frame = frame.replace("SUBSCRIBE_PLACEHOLDER", start)
            await socket.ws.send(frame)
            code, said = await socket.closing(5)
        if legacy:
            assert (code, _codes(said)) == (1000, ["BAD_REQUEST"]), frame[:40]
        else:
            assert (code, said) == (4400, []), frame[:40]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("subscription { petitionEvents { ", "GRAPHQL_PARSE_FAILED"),
        # graphql-core 3.3 parses an empty selection set; Strawberry's depth limiter fails on it
        ("{}", "GRAPHQL_VALIDATION_FAILED"),
    ],
    ids=["syntax-error", "empty-selection-set"],
)
@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_a_document_that_cannot_run_gets_an_error_with_a_code(
    limited: RunningServer, legacy: bool, document: str, code: str, no_tracebacks: None
) -> None:
    async with GraphQLSocket(limited.url, legacy=legacy) as socket:
        reply = await socket.operation(document)
        assert reply["type"] == "error", reply
        payload = reply["payload"]
        error = payload[0] if isinstance(payload, list) else payload
        assert error["extensions"]["code"] == code
        assert (await socket.operation(AGENCIES))["payload"]["data"], "the socket stays open"


async def test_a_client_without_a_subprotocol_is_refused_cleanly(
    limited: RunningServer, no_tracebacks: None
) -> None:
    url = limited.url.replace("http://", "ws://") + "/graphql"
    async with connect(url) as socket:
        await asyncio.wait_for(socket.wait_closed(), 5)
    assert socket.close_code == 4406


async def test_a_frame_far_beyond_the_limit_is_dropped_before_it_is_buffered(
    limited: RunningServer,
) -> None:
    """uvicorn's own frame limit, twice the body limit, closes with 1009 (message too big)."""
    async with GraphQLSocket(limited.url) as socket:
        assert socket.ws is not None
        await socket.ws.send("x" * 3 * 4096)
        code, _said = await socket.closing(5)
    assert code == 1009


async def test_operations_called_off_mid_statement_leave_no_connection_behind(
    lifecycle_database: str, backend: str
) -> None:
    """A client that starts an operation whose statement waits on a lock and completes it
    at once, over and over, under the request timeout: each operation's work is stopped
    and its session closed, none left running unowned (which once kept its connection
    checked out for good and, thirty times over, took the whole pool)."""
    query, variables = (COUNT, {}) if backend == "postgresql" else (SUBMIT, {"input": submission()})
    settings = workflow_settings(lifecycle_database, request_timeout_seconds=5)
    with RunningServer(settings) as server:
        async with GraphQLSocket(server.url) as socket:
            async with writers_locked_out_async(lifecycle_database):
                for number in range(12):
                    identifier = f"churn-{number}"
                    payload = {"query": query, "variables": variables}
                    await socket.send({"id": identifier, "type": "subscribe", "payload": payload})
                    await asyncio.sleep(0.05)
                    await socket.send({"id": identifier, "type": "complete"})
                await asyncio.sleep(0.5)
            assert (await socket.operation(AGENCIES))["payload"]["data"]
        deadline = asyncio.get_running_loop().time() + 15
        while server.engine.pool.checkedout():
            assert asyncio.get_running_loop().time() < deadline, "connections left checked out"
            await asyncio.sleep(0.05)
        assert "errors" not in server.post(AGENCIES).json()


async def test_each_operation_and_each_socket_spend_the_read_rate(
    empty_database: str, no_tracebacks: None
) -> None:
    """A socket is no way around PAKN_READ_RATE: the upgrade and every operation count."""
    with RunningServer(workflow_settings(empty_database, read_rate=4)) as server:
        async with GraphQLSocket(server.url) as socket:
            replies = [await socket.operation(AGENCIES) for _ in range(4)]
        assert [r["type"] for r in replies] == ["next", "next", "next", "error"]
        error = replies[-1]["payload"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfter"] >= 1
        code, _said = await _refused(GraphQLSocket(server.url))
        assert code == 4429
        async with GraphQLSocket(server.url, client_address="127.0.0.2") as other:
            assert (await other.operation(AGENCIES))["type"] == "next"


async def test_an_officers_socket_spends_the_officers_rate(
    lifecycle_database: str, lifecycle_tokens: Tokens, no_tracebacks: None
) -> None:
    """As over HTTP: ten times the rate, in a bucket the public at the address cannot empty."""
    with RunningServer(workflow_settings(lifecycle_database, read_rate=4)) as server:
        async with GraphQLSocket(
            server.url, token=lifecycle_tokens.coordinator, client_address="127.0.0.6"
        ) as socket:
            replies = [await socket.operation(AGENCIES) for _ in range(12)]
        assert [r["type"] for r in replies] == ["next"] * 12


@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_long_close_reasons_are_cut_to_fit_a_close_frame(
    limited: RunningServer, legacy: bool, no_tracebacks: None
) -> None:
    async with GraphQLSocket(limited.url, legacy=legacy) as socket:
        await socket.send({"type": "é" * 100})
        code, _said = await socket.closing(5)
    assert code == (1000 if legacy else 4400)
    async with GraphQLSocket(limited.url) as socket:
        identifier = "x" * 128
        message = {"id": identifier, "type": "subscribe", "payload": {"query": SUBSCRIBE}}
        await socket.send(message)
        await socket.send(message)
        code, _said = await socket.closing(5)
    assert code == 4409


@pytest.mark.parametrize("legacy", PROTOCOLS, ids=PROTOCOL_IDS)
async def test_no_init_timeout_at_zero(
    empty_database: str, legacy: bool, no_tracebacks: None
) -> None:
    with RunningServer(workflow_settings(empty_database, socket_init_timeout_seconds=0)) as server:
        socket = GraphQLSocket(server.url, legacy=legacy)
        await socket.open()
        assert await socket.nothing_within(1.0)
        await socket.send({"type": "connection_init", "payload": {}})
        assert (await socket.next_message(5))["type"] == "connection_ack"
        assert (await socket.operation(AGENCIES))["payload"]["data"]


async def test_legacy_refusals_have_the_error_shape_and_a_normal_close(
    limited: RunningServer, no_tracebacks: None
) -> None:
    """A bad token, a `start` before `connection_init`, a second `connection_init`."""
    socket = GraphQLSocket(limited.url, legacy=True)
    await socket.open()
    await socket.send({"type": "connection_init", "payload": {"authorization": "Bearer bad"}})
    assert _codes_and_close(await socket.closing(5)) == (1000, ["UNAUTHENTICATED"])
    socket = GraphQLSocket(limited.url, legacy=True)
    await socket.open()
    await socket.send({"id": "1", "type": "start", "payload": {"query": AGENCIES}})
    assert _codes_and_close(await socket.closing(5)) == (1000, ["BAD_REQUEST"])
    async with GraphQLSocket(limited.url, legacy=True) as socket:
        await socket.send({"type": "connection_init", "payload": {}})
        assert _codes_and_close(await socket.closing(5)) == (1000, ["BAD_REQUEST"])


def _codes_and_close(closed: tuple[int | None, list[dict[str, object]]]) -> tuple[object, ...]:
    code, said = closed
    return code, _codes(said)
