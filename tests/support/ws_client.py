"""A real WebSocket GraphQL client (graphql-transport-ws, or legacy graphql-ws)."""

from __future__ import annotations

import asyncio
import itertools
from types import TracebackType
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.workflow import Workflow

EVENT_FIELDS = "id cursor action fromStatus toStatus note petition { trackingCode status }"
SUBSCRIPTION = (
    "subscription($code: String, $agency: String, $after: String) { "
    "petitionEvents(trackingCode: $code, agencyCode: $agency, after: $after) { "
    + EVENT_FIELDS
    + " } }"
)


class GraphQLSocket:
    _ids = itertools.count(1)

    def __init__(
        self,
        http_url: str,
        *,
        token: str | None = None,
        legacy: bool = False,
        client_address: str = "127.0.0.1",
    ) -> None:
        self.url = http_url.replace("http://", "ws://") + "/graphql"
        self.token = token
        self.legacy = legacy
        self.client_address = client_address
        self.protocol = "graphql-ws" if legacy else "graphql-transport-ws"
        self.ws: ClientConnection | None = None
        self.operation_id = ""

    async def open(self) -> ClientConnection:
        """The socket, opened and not yet initialised (`__aenter__` also sends
        `connection_init` and waits for the ack)."""
        self.ws = await connect(
            self.url,
            subprotocols=[self.protocol],  # type: ignore[list-item]
            local_addr=(self.client_address, 0),
        )
        return self.ws

    async def __aenter__(self) -> GraphQLSocket:
        await self.open()
        payload = {"authorization": f"Bearer {self.token}"} if self.token else {}
        await self._send({"type": "connection_init", "payload": payload})
        ack = await self._receive(5)
        assert ack["type"] == "connection_ack", ack
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        assert self.ws is not None
        await self.ws.close()

    async def _send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(orjson.dumps(message).decode())

    async def _receive(self, wait: float) -> dict[str, Any]:
        assert self.ws is not None
        while True:
            frame = await asyncio.wait_for(self.ws.recv(), wait)
            assert isinstance(frame, str), "stock clients reject binary frames"
            message = orjson.loads(frame)
            if message["type"] not in {"ping", "pong", "ka"}:
                return message  # type: ignore[no-any-return]

    async def subscribe(self, **variables: Any) -> None:
        self.operation_id = str(next(self._ids))
        kind = "start" if self.legacy else "subscribe"
        await self._send(
            {
                "id": self.operation_id,
                "type": kind,
                "payload": {"query": SUBSCRIPTION, "variables": variables},
            }
        )

    async def send(self, message: dict[str, Any]) -> None:
        await self._send(message)

    async def operation(
        self, query: str, variables: dict[str, Any] | None = None, wait: float = 10
    ) -> dict[str, Any]:
        """Run a query or mutation; its one result message (`next`/`data`, or `error`),
        after the `complete` that follows a result."""
        self.operation_id = str(next(self._ids))
        kind = "start" if self.legacy else "subscribe"
        payload = {"query": query, "variables": variables or {}}
        await self._send({"id": self.operation_id, "type": kind, "payload": payload})
        result = await self._receive(wait)
        if result["type"] in {"next", "data"}:
            complete = await self._receive(wait)
            assert complete == {"id": self.operation_id, "type": "complete"}, complete
        return result

    async def closing(self, wait: float = 10) -> tuple[int | None, list[dict[str, Any]]]:
        """Wait for the server to close the socket: its close code, and the messages it
        sent before (keep-alives left out)."""
        assert self.ws is not None
        said = []
        try:
            while True:
                said.append(await self._receive(wait))
        except ConnectionClosed as closed:
            return (closed.rcvd.code if closed.rcvd else None), said

    async def next_message(self, wait: float = 10) -> dict[str, Any]:
        return await self._receive(wait)

    async def events(self, count: int, wait: float = 15) -> list[dict[str, Any]]:
        """The next `count` events; fails on an error or a completion."""
        found = []
        while len(found) < count:
            message = await self._receive(wait)
            assert message["type"] in {"next", "data"}, message
            assert "errors" not in message["payload"], message["payload"]
            found.append(message["payload"]["data"]["petitionEvents"])
        return found

    async def nothing_within(self, seconds: float) -> bool:
        try:
            message = await self._receive(seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message {message}")


async def submit_petitions(workflow: Workflow, count: int) -> list[str]:
    """Submit `count` petitions one after another (off the event loop); their codes."""
    return [(await asyncio.to_thread(workflow.submit))["trackingCode"] for _ in range(count)]


def tracking_codes(events: list[dict[str, Any]]) -> list[str]:
    return [event["petition"]["trackingCode"] for event in events]
