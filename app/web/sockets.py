"""WebSockets held to HTTP's rules: text frames, a frame size limit, limits on how many a
client and a worker hold open, and officers' tokens checked again while they stay open.

Close codes (graphql-transport-ws): 4400 a bad frame (not text, not JSON, not a message,
too large), 4403 a token that stopped working, 4408 no `connection_init` in time, 4429 too
many sockets, 1012 the service restarting. Legacy graphql-ws has no such codes: it gets a
`connection_error` (or `error`) message with the same `extensions.code`, then a normal
close (1000).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected

from app.services.auth import tokens_still_active
from app.web.observation import observed
from app.web.read_limits import READ_CHARGE
from resolvers.context import Context

logger = logging.getLogger("pakn.sockets")

SUBPROTOCOLS = ("graphql-transport-ws", "graphql-ws")
LEGACY = "graphql-ws"
NORMAL_CLOSURE = 1000
SERVICE_RESTART = 1012
"""RFC 6455's code for a service restart: stock clients retry it."""
BAD_REQUEST = 4400
FORBIDDEN = 4403
TOO_MANY_REQUESTS = 4429


@dataclass(frozen=True)
class BadFrame:
    """A frame that is not a protocol message, handed to the protocol handler in place
    of a message so that it refuses it the protocol's way."""

    reason: str


MAX_REASON_BYTES = 123
"""RFC 6455: a close frame's reason fits in 123 bytes of UTF-8."""


def chosen_subprotocol(socket: WebSocket) -> str | None:
    """The first offered that pakn speaks, as Strawberry picks it."""
    offered = socket.scope.get("subprotocols") or ()
    return next((p for p in offered if p in SUBPROTOCOLS), None)


def close_reason(text: str) -> str:
    """`text` cut to what a close frame can carry (a longer one fails the close)."""
    return text.encode()[:MAX_REASON_BYTES].decode(errors="ignore")


def charge_read(scope: Scope, token_id: int | None = None) -> int | None:
    """One request of the socket's address (an officer's, given the token id) under the
    read limit (`app.web.read_limits`): None when it had one or there is no limit, else
    the seconds to wait."""
    charge = scope.get("state", {}).get(READ_CHARGE)
    return charge(token_id) if charge is not None else None


async def turn_away(socket: WebSocket, close_code: int, code: str, message: str) -> None:
    """Accept (in a subprotocol the client offered, which stock clients require) and close.
    A legacy graphql-ws client is told why in a `connection_error` first, unless the
    service restarts: RFC 6455's 1012 is every client's, and they retry it."""
    subprotocol = chosen_subprotocol(socket)
    observed(socket.scope).error(code)
    with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
        await socket.accept(subprotocol)
        if subprotocol == LEGACY and close_code != SERVICE_RESTART:
            await socket.send_text(connection_error(code, message))
            close_code = NORMAL_CLOSURE
        await socket.close(close_code, close_reason(message))


def connection_error_message(code: str, message: str) -> dict[str, Any]:
    """Legacy graphql-ws's refusal of a connection, coded as every other error."""
    return {
        "type": "connection_error",
        "payload": {"message": message, "extensions": {"code": code}},
    }


def connection_error(code: str, message: str) -> str:
    return orjson.dumps(connection_error_message(code, message)).decode()


STARTS = frozenset({"subscribe", "start"})
"""The messages that start an operation (graphql-transport-ws, legacy graphql-ws)."""
RESULTS = frozenset({"next", "data", "error", "connection_error"})
"""The messages that may carry error codes, counted as they are sent."""


def _kind(message: dict[str, Any]) -> str | None:
    kind = message.get("type")
    return kind if isinstance(kind, str) else None


class TextFrames(ASGIWebSocketAdapter):
    """Every message a text frame, on both protocols: graphql-ws, Apollo, urql and Python
    `gql` reject binary frames (`encode_json` gives orjson's bytes for HTTP bodies).

    Incoming frames longer than the view's `max_frame_bytes` (the HTTP body limit),
    binary frames and text that is not a JSON object reach the handler as `BadFrame`.
    A message for a socket already closed (by `PaknGraphQL.close_sockets`, or a revoked
    token) is dropped as a disconnect, so a
    subscription ending during shutdown sends no `complete`: clients take `complete` as
    final and would not resubscribe."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        while self.ws.application_state is WebSocketState.CONNECTED:
            try:
                message = await self.ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            limit = getattr(self.view, "max_frame_bytes", 0)
            if text is None:
                yield BadFrame("WebSocket messages must be text frames.")
            elif limit and len(text) * 4 > limit and len(text.encode()) > limit:
                observed(self.ws.scope).refused("body_too_large")
                yield BadFrame(f"A message may be at most {limit} bytes.")
            else:
                try:
                    decoded = orjson.loads(text)
                except orjson.JSONDecodeError:
                    yield BadFrame("A message must be a JSON object.")
                    continue
                if isinstance(decoded, dict) and _kind(decoded) in STARTS:
                    payload = decoded.get("payload")
                    if isinstance(payload, dict):
                        observed(self.ws.scope).named(
                            payload.get("operationName"), payload.get("query")
                        )
                yield (
                    decoded
                    if isinstance(decoded, dict)
                    else BadFrame("A message must be a JSON object.")
                )

    async def send_json(self, message: Any) -> None:
        if self.ws.application_state is not WebSocketState.CONNECTED:
            raise WebSocketDisconnected
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except (WebSocketDisconnect, RuntimeError) as exc:
            raise WebSocketDisconnected from exc
        if _kind(message) in RESULTS:
            observed(self.ws.scope).message(message)

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
            await self.ws.close(code=code, reason=close_reason(reason))


ENTRY = "pakn_socket"
"""The scope state key of a socket's `OpenSocket` (the view sets its context there)."""


@dataclass(eq=False)
class OpenSocket:
    socket: WebSocket
    client: str
    context: Context | None = None
    """Set once the view has made the socket's context; its token id once authenticated."""


@dataclass
class SocketLimits:
    per_client: int
    in_all: int


@dataclass
class OpenSockets:
    """The sockets this worker holds: counted per client address and in all, and swept
    every `recheck_seconds` for officers' tokens revoked since they connected.

    The sweep asks the database, in one statement, which of the open sockets' tokens still
    work, so a `pakn token revoke` on any host reaches every worker's sockets within
    `recheck_seconds`, on SQLite and PostgreSQL alike, without a channel between them.
    Each operation checks its token again anyway (`Context.for_operation`)."""

    limits: SocketLimits
    recheck_seconds: float
    sessions: Callable[[], AsyncSession]
    open: set[OpenSocket] = field(default_factory=set)
    per_client: Counter[str] = field(default_factory=Counter)
    closing: bool = False
    """Set at shutdown: a socket opened after it is closed at once with 1012 (its
    subscription would otherwise end with `complete` as the feed stops)."""
    _sweeper: asyncio.Task[None] | None = None

    async def serve(self, socket: WebSocket, run: Callable[[WebSocket], Awaitable[Any]]) -> None:
        """`run` the socket, unless a limit or the shutdown turns it away first."""
        if self.closing:
            await turn_away(socket, SERVICE_RESTART, "SERVICE_RESTART", "service restart")
            return
        client = socket.client.host if socket.client else "-"
        refusal = self.refusal(client)
        if refusal is not None:
            await turn_away(socket, TOO_MANY_REQUESTS, "TOO_MANY_SOCKETS", refusal)
            return
        wait = charge_read(socket.scope)
        if wait is not None:
            message = f"Too many requests from this address; try again in {wait} s."
            await turn_away(socket, TOO_MANY_REQUESTS, "RATE_LIMITED", message)
            return
        entry = self.add(socket, client)
        socket.scope.setdefault("state", {})[ENTRY] = entry
        try:
            await run(socket)
        finally:
            self.remove(entry)

    async def close_all(self) -> None:
        """Close every open socket with 1012 (service restart). Their clients reconnect,
        to this host when it is back or to another, and resume from their last cursor."""
        self.closing = True
        await self.stop()
        for entry in list(self.open):
            if entry.socket.application_state is WebSocketState.CONNECTED:
                with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
                    await entry.socket.close(SERVICE_RESTART, "service restart")

    def refusal(self, client: str) -> str | None:
        """Why a new socket from `client` is refused, or None."""
        if self.limits.in_all and len(self.open) >= self.limits.in_all:
            return f"This server holds {self.limits.in_all} sockets already; retry later."
        if self.limits.per_client and self.per_client[client] >= self.limits.per_client:
            return f"At most {self.limits.per_client} sockets per client address."
        return None

    def add(self, socket: WebSocket, client: str) -> OpenSocket:
        entry = OpenSocket(socket, client)
        self.open.add(entry)
        self.per_client[client] += 1
        if self._sweeper is None and self.recheck_seconds > 0:
            self._sweeper = asyncio.create_task(self._sweep(), name="pakn-socket-sweep")
        return entry

    def remove(self, entry: OpenSocket) -> None:
        self.open.discard(entry)
        self.per_client[entry.client] -= 1
        if self.per_client[entry.client] <= 0:
            del self.per_client[entry.client]

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                await self.close_revoked()
            except Exception:
                logger.exception("socket sweep: checking tokens failed; retrying")

    async def close_revoked(self) -> None:
        held = {
            entry: entry.context.token_id
            for entry in list(self.open)
            if entry.context is not None and entry.context.token_id is not None
        }
        if not held:
            return
        async with self.sessions() as session:
            active = await tokens_still_active(session, {t for t in held.values() if t})
        for entry, token_id in held.items():
            if token_id not in active:
                await close_for_revocation(entry.socket)


async def close_for_revocation(socket: WebSocket) -> None:
    message = "The officer token of this connection was revoked."
    with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
        if socket.application_state is not WebSocketState.CONNECTED:
            return
        if chosen_subprotocol(socket) == LEGACY:
            await socket.send_text(connection_error("UNAUTHENTICATED", message))
            await socket.close(NORMAL_CLOSURE, "token revoked")
        else:
            await socket.close(FORBIDDEN, "token revoked")
