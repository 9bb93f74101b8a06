"""The two WebSocket protocols, as Strawberry runs them, with pakn's rules added.

- Each operation gets its own context (`Context.for_operation`): its own session, and its
  officer token checked again, as an HTTP request's is. Mutations over a socket are
  therefore held to every check HTTP applies.
- A query or mutation over a socket is cancelled after the request timeout, as over HTTP
  (REQUEST_TIMEOUT); a subscription is not.
- Messages of the wrong shape are refused the protocol's way (graphql-transport-ws: close
  4400; legacy graphql-ws: an `error`, then a normal close) instead of raising.
- At most `max_operations` operations run at once on a socket (TOO_MANY_SUBSCRIPTIONS).
- Legacy graphql-ws gets the init timeout graphql-transport-ws has (Strawberry's 4408).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable, Coroutine, Mapping
from functools import partial
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationType, parse
from graphql.error import GraphQLSyntaxError
from graphql.utilities import get_operation_ast
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import ExecutionResult, PreExecutionError

from app.web.deadline import OperationTimedOut, left_to_finish, within
from app.web.sockets import (
    BAD_REQUEST,
    NORMAL_CLOSURE,
    BadFrame,
    charge_read,
    connection_error_message,
)
from resolvers.context import Context
from schema.extensions import syntax_code

logger = logging.getLogger("pakn.sockets")
TIMEOUT_MESSAGE = "The operation ran longer than the server allows; ask for less."
_MAX_ID_LENGTH = 128


def _parse(query: str, max_tokens: int) -> DocumentNode | GraphQLError:
    """The document, or its syntax error coded. Strawberry's parser cache raises a syntax
    error out of its parse hook, which over a socket ends the operation with `complete`
    and no error; parsed here first, the error reaches the client."""
    try:
        return parse(query, no_location=True, max_tokens=max_tokens or None)
    except GraphQLSyntaxError as error:
        return GraphQLError(error.message, extensions={"code": syntax_code(error.message)})


def _is_subscription(document: DocumentNode, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


_DONE = object()


async def _first(source: AsyncGenerator[Any]) -> Any:
    return await anext(source, _DONE)


def _refusal(error: GraphQLError) -> PreExecutionError:
    return PreExecutionError(data=None, errors=[error])


async def _refused(error: GraphQLError) -> AsyncGenerator[Any]:
    yield _refusal(error)


def _timed_out() -> ExecutionResult:
    error = GraphQLError(TIMEOUT_MESSAGE, extensions={"code": "REQUEST_TIMEOUT"})
    return ExecutionResult(data=None, errors=[error])


class OperationSchema:
    """The schema as the socket handlers see it: every operation in a context of its own,
    closed when the operation ends, and queries and mutations under the request timeout."""

    def __init__(
        self,
        schema: Any,
        sessions: Callable[[], AsyncSession],
        timeout_seconds: float,
        max_tokens: int,
        database_url: str,
        charge: Callable[[int | None], int | None],
    ) -> None:
        self.schema = schema
        self.sessions = sessions
        self.timeout_seconds = timeout_seconds
        self.max_tokens = max_tokens
        self.database_url = database_url
        self.charge = charge

    def __getattr__(self, name: str) -> Any:
        return getattr(self.schema, name)

    async def stream(self, query: str | None, **kwargs: Any) -> AsyncGenerator[Any]:
        return await self._run(self.schema.stream, query, kwargs)

    async def subscribe(self, query: str | None, **kwargs: Any) -> AsyncGenerator[Any]:
        """Legacy graphql-ws's entry: queries and mutations run too, as on the newer
        protocol (subscriptions-transport-ws clients send them)."""
        return await self._run(self.schema.stream, query, kwargs)

    async def _run(
        self, run: Callable[..., Any], query: str | None, kwargs: dict[str, Any]
    ) -> AsyncGenerator[Any]:
        socket_context: Context = kwargs["context_value"]
        wait = self.charge(socket_context.token_id)
        if wait is not None:
            return _refused(_rate_limited(wait))
        document = _parse(query, self.max_tokens) if isinstance(query, str) else None
        if isinstance(document, GraphQLError):
            return _refused(document)
        context = socket_context.for_operation(self.sessions())
        kwargs["context_value"] = context
        timeout = self.timeout_seconds
        if document is not None and _is_subscription(document, kwargs.get("operation_name")):
            timeout = 0
        try:
            source = await run(query, **kwargs)
        except BaseException:
            await context.session.close()
            raise
        return self._closing(source, context, timeout)

    async def _closing(
        self, source: AsyncGenerator[Any], context: Context, seconds: float
    ) -> AsyncGenerator[Any]:
        timed_out = False
        started = False
        try:
            if seconds:
                try:
                    first = await within(seconds, _first(source), self.database_url)
                except OperationTimedOut:
                    timed_out = True
                    yield _timed_out()
                    return
                if first is _DONE:
                    return
                started = True
                yield first
            async for result in source:
                started = True
                yield result
        except GraphQLError as error:
            # coded by ErrorCodes as it escaped the operation (`ErrorCodes._escaped`);
            # raised on, the handler would log it and end the operation without a word
            yield ExecutionResult(data=None, errors=[error]) if started else _refusal(error)
        finally:
            if timed_out:
                _later(_close(source, context))
            else:
                await _close(source, context)


def _later(closing: Coroutine[Any, Any, None]) -> None:
    """An operation cut off by the timeout is answered at once; its statement may take a
    while to end (`app.web.deadline.within`), and its session closes after it."""
    left_to_finish(asyncio.ensure_future(closing), "closing a timed-out operation's session")


async def _close(source: AsyncGenerator[Any], context: Context) -> None:
    with contextlib.suppress(Exception):
        await source.aclose()
    await context.session.close()


def operation_schema(view: Any, schema: Any, websocket: Any) -> OperationSchema:
    """`schema` under the limits of `view` (`app.web.graphql_view.PaknGraphQL`), each
    operation charged to the read rate of the socket's address."""
    scope = websocket.ws.scope
    return OperationSchema(
        schema,
        view.sessions,
        view.request_timeout,
        view.max_tokens,
        view.settings.database_url,
        partial(charge_read, scope),
    )


def _rate_limited(wait: int) -> GraphQLError:
    return GraphQLError(
        f"Too many requests from this address; try again in {wait} s.",
        extensions={"code": "RATE_LIMITED", "retryAfter": wait},
    )


def _subscribe_shape_error(message: dict[str, Any]) -> str | None:
    identifier = message.get("id")
    if not isinstance(identifier, str) or not 0 < len(identifier) <= _MAX_ID_LENGTH:
        return f"An operation id is a string of 1 to {_MAX_ID_LENGTH} characters."
    payload = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "A subscribe message's payload holds the query as a string."
    if not isinstance(payload.get("variables"), dict | None):
        return "`variables` is an object."
    if not isinstance(payload.get("operationName"), str | None):
        return "`operationName` is a string."
    if not isinstance(payload.get("extensions"), dict | None):
        return "`extensions` is an object."
    return None


def _one_too_many(limit: int, running: Mapping[str, object], identifier: str) -> bool:
    """A new operation would run beyond `limit` (0: none); reusing an id replaces one."""
    return bool(limit) and identifier not in running and len(running) >= limit


def _too_many(limit: int) -> GraphQLError:
    return GraphQLError(
        f"At most {limit} operations may run at once on one socket.",
        extensions={"code": "TOO_MANY_SUBSCRIPTIONS", "limit": limit},
    )


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws (graphql-ws, Apollo's GraphQLWsLink, urql, gql)."""

    max_operations = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        view = self.view
        self.schema = operation_schema(view, self.schema, self.websocket)
        self.max_operations = view.max_operations  # type: ignore[attr-defined]

    async def handle_message(self, message: Any) -> None:
        if isinstance(message, BadFrame):
            await self.handle_invalid_message(message.reason)
            return
        kind = message.get("type")
        if not isinstance(kind, str):
            await self.handle_invalid_message("A message has a string `type`.")
            return
        if kind == "subscribe":
            problem = _subscribe_shape_error(message)
            if problem is not None:
                await self.handle_invalid_message(problem)
                return
        elif kind == "complete" and not isinstance(message.get("id"), str):
            await self.handle_invalid_message("A complete message names an operation id.")
            return
        await super().handle_message(message)

    async def handle_subscribe(self, message: Any) -> None:
        if self.connection_acknowledged and _one_too_many(
            self.max_operations, self.operations, message["id"]
        ):
            error = _too_many(self.max_operations)
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

    async def handle_invalid_message(self, error_message: str) -> None:
        await self.websocket.close(code=BAD_REQUEST, reason=error_message)

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        """None: a document that does not parse, or names no operation, gets an `error`
        message with its code, like any invalid document, and the socket's other
        subscriptions go on (Strawberry, as graphql-ws's server, would close it: 4400)."""
        return None


LEGACY_TYPES = frozenset({"connection_init", "connection_terminate", "start", "stop"})


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Legacy graphql-ws (subscriptions-transport-ws): no 4xxx close codes, so refusals
    are an `error` or `connection_error` message, then a normal close."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        view = self.view
        self.schema = operation_schema(view, self.schema, self.websocket)
        self.max_operations = view.max_operations  # type: ignore[attr-defined]
        self.init_timeout = view.init_timeout  # type: ignore[attr-defined]

    async def handle(self) -> None:
        if not self.init_timeout:
            await super().handle()
            return
        timer = asyncio.create_task(self._close_uninitialised())
        try:
            await super().handle()
        finally:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer

    async def handle_connection_init(self, message: Any) -> None:
        """Strawberry's, with refusals in this protocol's shape; and a second
        `connection_init` is refused: it would change the socket's token after the sweep
        learnt the first (`app.web.sockets.OpenSockets`)."""
        if self.connection_acknowledged:
            await self._refuse("BAD_REQUEST", "connection_init was sent already.")
            return
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self._refuse("BAD_REQUEST", "connection_init's payload is an object.")
            return
        self.context.connection_params = payload
        try:
            await self.view.on_ws_connect(self.context)
        except ConnectionRejectionError:
            await self._refuse("UNAUTHENTICATED", "The bearer token is unknown or revoked.")
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True
        if self.keep_alive:
            self.keep_alive_task = asyncio.create_task(self.handle_keep_alive())

    async def _close_uninitialised(self) -> None:
        await asyncio.sleep(self.init_timeout)
        if not self.connection_acknowledged:
            await self._refuse("CONNECTION_INIT_TIMEOUT", "No connection_init in time.")

    async def _refuse(self, code: str, message: str) -> None:
        with contextlib.suppress(Exception):
            await self.send_message(connection_error_message(code, message))  # type: ignore[arg-type]
        await self.websocket.close(code=NORMAL_CLOSURE, reason=message)

    async def handle_message(self, message: Any) -> None:
        if isinstance(message, BadFrame):
            await self._refuse("BAD_REQUEST", message.reason)
            return
        kind = message.get("type")
        if not isinstance(kind, str) or kind not in LEGACY_TYPES:
            await self._refuse("BAD_REQUEST", "A message's `type` is one of the protocol's.")
            return
        if kind == "start":
            problem = _subscribe_shape_error(message)
            if problem is not None:
                await self._refuse("BAD_REQUEST", problem)
                return
        elif kind == "stop" and not isinstance(message.get("id"), str):
            await self._refuse("BAD_REQUEST", "A stop message names an operation id.")
            return
        await super().handle_message(message)

    async def handle_start(self, message: Any) -> None:
        if not self.connection_acknowledged:
            await self._refuse("BAD_REQUEST", "Send connection_init first.")
            return
        if _one_too_many(self.max_operations, self.tasks, message["id"]):
            error = _too_many(self.max_operations)
            await self.send_message(
                {"type": "error", "id": message["id"], "payload": error.formatted}  # type: ignore[typeddict-item]
            )
            return
        await super().handle_start(message)
