"""Live events over a real WebSocket against a real server: ordered, complete, private."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.settings import Settings
from tests.support.demo import load_demo
from tests.support.server import RunningServer
from tests.support.workflow import (
    Tokens,
    Workflow,
    serving_workflow,
    workflow_settings,
)
from tests.support.ws_client import GraphQLSocket, submit_petitions, tracking_codes


@pytest.fixture
def feed_server(lifecycle_database: str, lifecycle_tokens: Tokens) -> Iterator[Workflow]:
    with serving_workflow(
        lifecycle_database, lifecycle_tokens, feed_poll_seconds=0.5, keep_alive_seconds=0.5
    ) as workflow:
        yield workflow


async def _an_event(workflow: Workflow) -> dict[str, Any]:
    """The live event of a petition submitted while subscribed: a cursor to resume from."""
    async with GraphQLSocket(workflow.server.url) as socket:
        await socket.subscribe()
        await asyncio.sleep(0.2)
        await submit_petitions(workflow, 1)
        return (await socket.events(1))[0]


async def test_live_events_arrive_in_commit_order(feed_server: Workflow) -> None:
    async with GraphQLSocket(feed_server.server.url) as socket:
        await socket.subscribe()
        await asyncio.sleep(0.2)
        codes = await submit_petitions(feed_server, 3)
        events = await socket.events(3)
    assert tracking_codes(events) == codes
    assert [e["action"] for e in events] == ["SUBMIT"] * 3
    ids = [e["cursor"] for e in events]
    assert len(set(ids)) == 3


async def test_reconnect_with_cursor_replays_exactly_the_missed_events(
    feed_server: Workflow,
) -> None:
    last = await _an_event(feed_server)
    missed = await submit_petitions(feed_server, 4)
    async with GraphQLSocket(feed_server.server.url) as socket:
        await socket.subscribe(after=last["cursor"])
        replayed = await socket.events(4)
        assert tracking_codes(replayed) == missed
        assert await socket.nothing_within(0.8), "no event twice"
        live = await submit_petitions(feed_server, 1)
        assert tracking_codes(await socket.events(1)) == live


async def test_events_committed_during_replay_are_neither_lost_nor_repeated(
    feed_server: Workflow,
) -> None:
    start = await _an_event(feed_server)
    backlog = await submit_petitions(feed_server, 30)
    async with GraphQLSocket(feed_server.server.url) as socket:
        writer = asyncio.create_task(submit_petitions(feed_server, 20))
        await socket.subscribe(after=start["cursor"])
        received = await socket.events(50, wait=30)
        during = await writer
        assert await socket.nothing_within(0.8)
    assert tracking_codes(received) == backlog + during


async def test_petition_filter_and_malformed_cursor(feed_server: Workflow) -> None:
    petition, _ = await asyncio.to_thread(feed_server.assigned)
    async with GraphQLSocket(feed_server.server.url) as socket:
        await socket.subscribe(code=petition["trackingCode"], after=None)
        await asyncio.sleep(0.2)
        await submit_petitions(feed_server, 2)
        await asyncio.to_thread(feed_server.act, "acknowledge", feed_server.tokens.btc, petition)
        events = await socket.events(1)
        assert events[0]["action"] == "ACKNOWLEDGE"
        assert events[0]["petition"]["trackingCode"] == petition["trackingCode"]
    async with GraphQLSocket(feed_server.server.url) as socket:
        await socket.subscribe(after="not-a-cursor")
        message = await socket.next_message()
        errors = (
            message["payload"]
            if isinstance(message["payload"], list)
            else message["payload"].get("errors")
        )
        assert errors and errors[0]["extensions"]["code"] == "INVALID_CURSOR", message


async def test_private_events_reach_only_the_agencys_officers(feed_server: Workflow) -> None:
    petition, _ = await asyncio.to_thread(feed_server.in_progress)
    tokens = feed_server.tokens
    async with (
        GraphQLSocket(feed_server.server.url) as public,
        GraphQLSocket(feed_server.server.url, token=tokens.btc) as officer,
        GraphQLSocket(feed_server.server.url, token=tokens.byt) as other,
    ):
        for socket in (public, officer, other):
            await socket.subscribe(code=petition["trackingCode"])
        await asyncio.sleep(0.2)
        await asyncio.to_thread(
            feed_server.act,
            "request_transfer",
            tokens.btc,
            petition,
            note="Ghi chú nội bộ: đề nghị chuyển Bộ Y tế.",
        )
        seen = await officer.events(1)
        assert seen[0]["action"] == "REQUEST_TRANSFER"
        assert await public.nothing_within(0.8)
        assert await other.nothing_within(0.2)


async def test_an_invalid_token_is_refused_at_connection(feed_server: Workflow) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the server closes the socket (4403)
        async with GraphQLSocket(feed_server.server.url, token="pakn_wrong") as socket:
            await socket.subscribe()
            await socket.next_message(wait=3)


async def test_legacy_graphql_ws_protocol(feed_server: Workflow) -> None:
    async with GraphQLSocket(feed_server.server.url, legacy=True) as socket:
        await socket.subscribe()
        await asyncio.sleep(0.2)
        codes = await submit_petitions(feed_server, 2)
        assert tracking_codes(await socket.events(2)) == codes


async def test_a_slow_subscriber_is_closed_and_others_are_not(
    lifecycle_database: str, lifecycle_tokens: Tokens
) -> None:
    settings = workflow_settings(lifecycle_database, subscriber_queue=5, feed_poll_seconds=0.5)
    async with RunningServer(settings) as server:
        workflow = Workflow(server, lifecycle_tokens)
        mine = await asyncio.to_thread(workflow.submit)
        async with (
            GraphQLSocket(server.url) as everything,
            GraphQLSocket(server.url) as focused,
        ):
            await everything.subscribe()
            await focused.subscribe(code=mine["trackingCode"])
            await asyncio.sleep(0.2)
            # dozens of events in one transaction, so they reach the feed in one batch
            await load_demo(lifecycle_database, 10, seed=3, prepare=False)
            seen = []
            while True:
                message = await everything.next_message(wait=15)
                if message["type"] != "next" or "errors" in message["payload"]:
                    break
                seen.append(message)
            errors = message["payload"].get("errors") or message["payload"]
            assert errors[0]["extensions"]["code"] == "SLOW_SUBSCRIBER", message
            assert "after" in errors[0]["message"]
            await asyncio.to_thread(
                workflow.act,
                "assign",
                workflow.tokens.coordinator,
                mine["petition"],
                agencyCode="BTC",
            )
            assert (await focused.events(1))[0]["action"] == "ASSIGN"


@pytest.mark.parametrize("legacy", [False, True], ids=["graphql-transport-ws", "graphql-ws"])
async def test_server_shutdown_closes_sockets_with_1012_and_no_complete(
    lifecycle_database: str, legacy: bool
) -> None:
    """Stock clients take `complete` as final; a 1012 close (service restart) they retry."""
    settings = Settings(
        database_url=lifecycle_database, secret_key="test-key-of-thirty-two-bytes-0123456789"
    )
    async with RunningServer(settings) as server:
        async with GraphQLSocket(server.url, legacy=legacy) as socket:
            await socket.subscribe()
            await asyncio.to_thread(server.wait_for_subscriptions, 1)
            stopping = asyncio.create_task(asyncio.to_thread(server.stop))
            with pytest.raises(ConnectionClosed) as closed:
                message = await socket.next_message(wait=10)
                pytest.fail(f"expected a 1012 close, got {message}")
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
            await stopping


@pytest.mark.parametrize("legacy", [False, True], ids=["graphql-transport-ws", "graphql-ws"])
async def test_a_socket_opened_while_the_server_stops_is_closed_with_1012(
    lifecycle_database: str, legacy: bool
) -> None:
    """Between closing the sockets and the end of the feed, a client that reconnects at
    once must not subscribe to a stopping feed, whose end it would take for `complete`."""
    async with RunningServer(Settings(database_url=lifecycle_database)) as server:
        server.starlette.state.graphql.sockets.closing = True
        protocol = "graphql-ws" if legacy else "graphql-transport-ws"
        url = server.url.replace("http://", "ws://") + "/graphql"
        try:
            async with connect(url, subprotocols=[protocol]) as socket:  # type: ignore[list-item]
                assert socket.subprotocol == protocol
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(socket.recv(), 10)
        finally:
            server.starlette.state.graphql.closing = False
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012


async def test_a_replay_longer_than_the_limit_is_refused_with_the_cursor_to_page_from(
    lifecycle_database: str, lifecycle_tokens: Tokens
) -> None:
    """PAKN_MAX_REPLAY: `after` further behind is REPLAY_TOO_LONG with `resumeAfter`, the
    cursor from which a subscription replays exactly the limit; a petition's own
    subscription counts that petition's events only."""
    with serving_workflow(
        lifecycle_database, lifecycle_tokens, max_replay=3, feed_poll_seconds=0.5
    ) as workflow:
        start = await _an_event(workflow)
        backlog = await submit_petitions(workflow, 5)
        async with GraphQLSocket(workflow.server.url) as socket:
            await socket.subscribe(after=start["cursor"])
            refusal = await socket.next_message()
            payload = refusal["payload"]
            error = (payload if isinstance(payload, list) else payload["errors"])[0]
            assert error["extensions"]["code"] == "REPLAY_TOO_LONG", refusal
            assert error["extensions"]["maxReplay"] == 3
            resume = error["extensions"]["resumeAfter"]
        async with GraphQLSocket(workflow.server.url) as socket:
            await socket.subscribe(after=resume)
            assert tracking_codes(await socket.events(3)) == backlog[-3:]
        async with GraphQLSocket(workflow.server.url) as socket:
            await socket.subscribe(code=start["petition"]["trackingCode"], after=start["cursor"])
            assert await socket.nothing_within(0.5), "nothing missed: the petition had no news"
