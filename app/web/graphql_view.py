"""The GraphQL endpoint: Strawberry's ASGI view with pakn's context and error format."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Protocol

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, get_operation_ast, parse, validate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.types.unset import UNSET

from app.services.feed import EventFeed
from app.services.persisted_queries import PersistedQueries, document_hash
from app.settings import Settings
from app.web.caching import apply_cache_policy
from app.web.deadline import OperationTimedOut, within
from app.web.graphiql_assets import local_graphiql
from app.web.guard import HTTP_ERROR_CODES, error_body, send_error
from app.web.observation import observed
from app.web.persisted_protocol import (
    PersistedQueryError,
    persisted_query_not_found,
    requested_hash,
)
from app.web.socket_protocols import TIMEOUT_MESSAGE, LegacyWSHandler, TransportWSHandler
from app.web.sockets import ENTRY as SOCKET_ENTRY
from app.web.sockets import OpenSockets, SocketLimits, TextFrames
from app.web.unavailable import mark_unavailable, send_unavailable
from db.availability import database_unavailable
from db.transactions import WriteGate
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.loaders import Loaders
from schema.extensions import OUTAGE, Outage

logger = logging.getLogger("pakn.graphql")

_REQUEST_KEYS = frozenset({"query", "operationName", "variables", "extensions"})


def _get_payload(request: Request) -> dict[str, Any] | None:
    """A GET's parameters as a request body would carry them, JSON ones decoded."""
    params = request.query_params
    if any(len(params.getlist(key)) > 1 for key in params):
        return None
    payload: dict[str, Any] = dict(params)
    for key in ("variables", "extensions"):
        if key in payload:
            try:
                payload[key] = orjson.loads(payload[key]) if payload[key] else None
            except orjson.JSONDecodeError:
                return None
    return payload


_REGISTRATION: ContextVar[tuple[str, str] | None] = ContextVar(
    "pakn_persisted_registration", default=None
)
"""(hash, document) this request asks to register, stored only if it runs without error."""

_PARSED: ContextVar[tuple[bytes, object] | None] = ContextVar("pakn_parsed_body", default=None)
"""The body this request's compiled-path check parsed, so Strawberry need not parse it
again (matched by identity: Starlette hands both the same bytes)."""


class TimedOut(Response):
    """REQUEST_TIMEOUT: an operation cut off by the request timeout."""


class _TrackedSend:
    """An ASGI `send` that notes whether the response has begun: a session that fails as
    it closes, after a response went out inside its block, must not start a second one."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


class CompiledPath(Protocol):
    """`schema.fastpath.CompiledQueries`, as the view uses it."""

    def plan(self, query: str, operation_name: str | None) -> Any: ...
    def knows(self, query: str, operation_name: str | None) -> bool: ...
    def learn(self, query: str, operation_name: str | None) -> None: ...
    async def execute(self, plan: Any, ctx: Context, variables: Any) -> dict[str, Any] | None: ...


PREFLIGHT_HEADERS = {"apollo-require-preflight", "graphql-preflight"}
"""A browser sends a multipart form from any page without asking this server first; one
of these headers makes it ask (a CORS preflight): an upload then cannot be forged from
another site (cross-site request forgery)."""


def _multipart(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return request.method == "POST" and content_type == "multipart/form-data"


class PaknGraphQL(GraphQL[Context, None]):
    """One AsyncSession per request, opened lazily and closed when the response is sent.

    Anonymous JSON POSTs and GETs of a document this process has answered before, sent
    whole or as a persisted query's hash (`app.services.persisted_queries`), may be answered by
    `compiled` (see `schema.fastpath`); everything else, and whatever it declines, by
    Strawberry. `app.web.caching` then says who may cache the response."""

    websocket_adapter_class = TextFrames  # type: ignore[assignment]
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self,
        schema: Any,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        writes: WriteGate,
        feed: EventFeed,
        persisted: PersistedQueries,
        compiled: CompiledPath | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            keep_alive=True,
            keep_alive_interval=settings.keep_alive_seconds,
            allowed_origins=settings.cors_origins or ("*",),
            multipart_uploads_enabled=True,
        )
        self.sessions = sessions
        self.settings = settings
        self.writes = writes
        self.feed = feed
        self.compiled = compiled
        self.persisted = persisted
        self.request_timeout = settings.effective_request_timeout
        self.init_timeout = settings.socket_init_timeout_seconds
        """0: none (Strawberry's graphql-transport-ws handler then waits a day)."""
        self.connection_init_wait_timeout = timedelta(seconds=self.init_timeout or 86_400)
        self.max_subscriptions_per_connection = None
        self.max_operations = settings.max_subscriptions_per_socket
        self.max_frame_bytes = settings.max_body_bytes
        self.max_tokens = settings.max_tokens
        self.sockets = OpenSockets(
            SocketLimits(settings.max_sockets_per_client, settings.max_sockets),
            settings.socket_recheck_seconds,
            sessions,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.sockets.serve(WebSocket(scope, receive=receive, send=send), self.run)
            return
        request_id = scope.get("state", {}).get("request_id", "-")
        if scope["method"] == "HEAD":
            # HEAD is GET whose body the server leaves out (uvicorn drops it), so both
            # give the same headers, ETag and Content-Length included.
            scope = {**scope, "method": "GET"}
        outage = Outage()
        OUTAGE.set(outage)
        tracked = _TrackedSend(send)
        try:
            response = await self._respond(scope, receive, tracked, request_id)
        except Exception as error:
            if not database_unavailable(error):
                raise
            if tracked.started:
                logger.warning(
                    "database unavailable after the response was sent [request %s]: %r",
                    request_id,
                    error,
                )
                return
            logger.warning("database unavailable [request %s]: %r", request_id, error)
            await send_unavailable(send, request_id, id_header=False)
            return
        if response is None:
            return
        request = Request(scope=scope, receive=receive)
        if outage.seen:
            mark_unavailable(response)
        apply_cache_policy(request, response, self.settings.cache_seconds)
        await response(scope, receive, send)

    async def _respond(
        self, scope: Scope, receive: Receive, send: Send, request_id: str
    ) -> Response | None:
        """The response to send once the request's session is closed, or None when one
        was sent already. An error meaning the database is out of reach escapes (a 503)."""
        async with self.sessions() as session:
            scope.setdefault("state", {})["session"] = session
            request = Request(scope=scope, receive=receive)
            try:
                response = await self._answer(request)
                if isinstance(response, TimedOut):
                    # answered before the session closes: closing waits for a statement
                    # that may still be ending (`db.interrupts.within`)
                    apply_cache_policy(request, response, self.settings.cache_seconds)
                    await response(scope, receive, send)
                    return None
            except HTTPException as e:
                status = 415 if e.reason == "Unsupported content type" else e.status_code
                code = HTTP_ERROR_CODES.get(status, "BAD_REQUEST")
                await send_error(send, status, code, e.reason, request_id, id_header=False)
                return None
            except PersistedQueryError as e:
                await send_error(send, e.status, e.code, e.message, request_id, id_header=False)
                return None
        return response

    async def _answer(self, request: Request) -> Response:
        """The response, by the compiled path or Strawberry's, within the request timeout:
        past it the operation is cancelled and its statement stopped (`db.interrupts`),
        its connection goes back to the pool as the session closes, and the client gets
        REQUEST_TIMEOUT."""
        try:
            return await within(
                self.request_timeout, self._answer_now(request), self.settings.database_url
            )
        except OperationTimedOut:
            logger.warning(
                "request timeout after %.1fs [request %s]",
                self.request_timeout,
                request.scope.get("state", {}).get("request_id", "-"),
            )
        body = error_body("REQUEST_TIMEOUT", TIMEOUT_MESSAGE, timeoutSeconds=self.request_timeout)
        return TimedOut(body, media_type="application/json")

    async def _answer_now(self, request: Request) -> Response:
        if _multipart(request) and not PREFLIGHT_HEADERS & set(request.headers.keys()):
            body = error_body(
                "PREFLIGHT_REQUIRED",
                "A multipart request must carry an Apollo-Require-Preflight or a "
                "GraphQL-Preflight header, which a page on another origin cannot send "
                "without the CORS preflight that asks this server.",
            )
            return Response(body, status_code=400, media_type="application/json")
        document = await self._repeatable(request)
        response = await self._compiled(request, document) if document else None
        if response is None:
            _REGISTRATION.set(None)
            response = await self.run(request)
            self._learn(document, response)
            await self._register(response)
        return response

    async def close_sockets(self) -> None:
        """Close every open socket with 1012 (service restart): see `OpenSockets.close_all`."""
        await self.sockets.close_all()

    async def _repeatable(self, request: Request) -> tuple[str, str | None, Any] | None:
        """(query, operationName, variables) of an anonymous request the compiled path may
        answer: a JSON POST, or a GET, whose document is given or is a persisted query this
        worker holds; None otherwise."""
        if self.compiled is None or "authorization" in request.headers:
            return None
        if request.method == "GET":
            payload = _get_payload(request)
        elif request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
            body = await request.body()
            try:
                payload = orjson.loads(body)
            except orjson.JSONDecodeError:
                return None
            _PARSED.set((body, payload))
        else:
            return None
        if not isinstance(payload, dict) or set(payload) - _REQUEST_KEYS:
            return None
        query, name, variables = (
            payload.get("query"),
            payload.get("operationName"),
            payload.get("variables"),
        )
        if "extensions" in payload:
            extensions = payload["extensions"]
            if not isinstance(extensions, dict) or set(extensions) != {"persistedQuery"}:
                return None
            try:
                sha = requested_hash(payload["extensions"])
            except PersistedQueryError:
                return None
            known = self.persisted.cached(sha) if sha else None
            if query is not None and query != known:
                return None  # a registration: Strawberry's path checks and stores it
            query = known
        if not isinstance(query, str) or not isinstance(name, str | None):
            return None
        if not isinstance(variables, dict | None):
            return None
        observed(request.scope).named(name, query)
        return query, name, variables

    async def _compiled(
        self, request: Request, document: tuple[str, str | None, Any]
    ) -> Response | None:
        assert self.compiled is not None
        query, name, variables = document
        plan = self.compiled.plan(query, name)
        if plan is None:
            return None
        result = await self.compiled.execute(plan, await self.get_context(request, None), variables)
        if result is None:
            return None
        seen = observed(request.scope)
        seen.validated()  # a plan is made only of a document Strawberry answered cleanly
        seen.result(result.get("data"), result.get("errors"))
        return Response(self.encode_json(result), media_type="application/json")

    def _learn(self, document: tuple[str, str | None, Any] | None, response: Any) -> None:
        if document is None or self.compiled is None:
            return
        query, name, _variables = document
        if self.compiled.knows(query, name) or response.status_code != 200:
            return
        body = getattr(response, "body", b"")
        if body.startswith(b'{"data":') and b'"errors":' not in body:
            self.compiled.learn(query, name)

    @property
    def graphql_ide_html(self) -> str:
        """Strawberry's GraphiQL page, its scripts and styles served by pakn itself
        (`app.web.graphiql_assets`): the same files, so their integrity attributes hold."""
        return local_graphiql(super().graphql_ide_html)

    def should_render_graphql_ide(self, request: Any) -> bool:
        """GraphiQL for a browser's bare GET; a GET with a persisted query's hash runs it."""
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def parse_multipart(self, request: Any) -> dict[str, Any]:
        """Strawberry's reading of a multipart request, within limits of pakn's own (as
        many file parts as uploads, two text parts, each under the body limit: Starlette's
        defaults take a thousand fields of a megabyte each, in memory), its `operations`
        and `map` parts checked first: a map that is not an object of lists of paths, or
        that names a file or a path the request does not hold, is a 400, not an
        exception."""
        starlette_request: Request = request._request  # cross_web's adapter holds it
        try:
            form = await starlette_request.form(
                max_files=self.settings.max_uploads + 1,
                max_fields=2 + self.settings.max_uploads,
                max_part_size=self.settings.max_body_bytes,
            )
        except (ValueError, MultiPartException, StarletteHTTPException):
            raise HTTPException(400, "Unable to parse the multipart body") from None
        files = {name: value for name, value in form.multi_items() if not isinstance(value, str)}
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
        if "operations" in files or "map" in files:
            raise HTTPException(400, "The multipart request's operations or map is a file")
        parts = [fields.get("operations", "{}"), fields.get("map", "{}")]
        operations, files_map = (self.parse_json(part) for part in parts)
        well_formed = (
            isinstance(operations, dict)
            and isinstance(files_map, dict)
            and all(
                isinstance(paths, list) and all(isinstance(path, str) for path in paths)
                for paths in files_map.values()
            )
        )
        if not well_formed:
            raise HTTPException(400, "The multipart request's operations or map is malformed")
        try:
            return replace_placeholders_with_files(operations, files_map, files)
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            raise HTTPException(
                400, "The map names a file or a path the multipart request does not hold"
            ) from None

    async def parse_http_body(self, request_adapter: Any) -> Any:
        """The request, with a persisted query's document filled in or registered; its
        operation named for the metrics and the access log (`app.web.observation`)."""
        data = await self._parse_http_body(request_adapter)
        if not isinstance(data, list):
            scope = request_adapter._request.scope  # cross_web's adapter holds the request
            observed(scope).named(data.operation_name, data.query)
        return data

    async def _parse_http_body(self, request_adapter: Any) -> Any:
        data = await super().parse_http_body(request_adapter)
        if isinstance(data, list):
            return data
        sha = requested_hash(data.extensions)
        if sha is None:
            return data
        if data.query is None:
            data.query = await self.persisted.find(sha)
            if data.query is None:
                raise persisted_query_not_found()
        elif document_hash(data.query) != sha:
            raise PersistedQueryError(
                400,
                "PERSISTED_QUERY_HASH_MISMATCH",
                "persistedQuery.sha256Hash is not the SHA-256 of the query.",
            )
        elif self.persisted.cached(sha) is None:
            _REGISTRATION.set((sha, data.query))
        return data

    async def process_result(self, request: Any, result: Any) -> Any:
        """Strawberry's, with the result's error codes noted for the metrics and the log."""
        observed(request.scope).result(result.data, result.errors)
        return await super().process_result(request, result)

    async def _register(self, response: Response) -> None:
        """Store the document of a registration once it has run without any error: so
        every limit (depth, aliases, tokens, no mutation over GET) has already held."""
        registration = _REGISTRATION.get()
        body = getattr(response, "body", b"")
        if registration is None or response.status_code != 200 or b'"errors":' in body:
            return
        try:
            await self.persisted.register(*registration)
        except Exception:
            logger.exception("persisted query: registering %s failed", registration[0])

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.scope.get("state", {})
        session = state.get("session")
        if isinstance(request, WebSocket):
            session = self.sessions()
        if session is None:
            raise RuntimeError("no session for this request")
        if not isinstance(request, WebSocket):
            # connected before the resolvers run side by side: root fields that each reach
            # the database (two `stats`, say) would otherwise both try to open the session's
            # connection, which SQLAlchemy refuses while the pool makes them wait. Not for a
            # socket's operations: an outage there must reach the client as the operation's
            # error, not end it (tests/db/test_postgres_restart.py)
            await session.connection()
        client = request.scope.get("client")
        context = Context(
            session=session,
            settings=self.settings,
            request_id=state.get("request_id", "-"),
            loaders=Loaders(session),
            writes=self.writes,
            feed=self.feed,
            authorization=request.headers.get("authorization"),
            client_address=client[0] if client else None,
            http_method=None if isinstance(request, WebSocket) else request.method,
        )
        if isinstance(request, WebSocket):
            observed(request.scope).checked_by(self.valid_operation)
        if isinstance(request, WebSocket) and SOCKET_ENTRY in state:
            state[SOCKET_ENTRY].context = context
        elif not isinstance(request, WebSocket):
            state["context"] = context
        return context

    def valid_operation(self, query: str, name: str) -> bool:
        """Whether a socket's document parses (within the token limit), passes the schema's
        validation and holds operation `name`: only then may a new name label the metrics
        (`app.web.observation`). Asked only for a name the label set has room for."""
        try:
            document = parse(query, no_location=True, max_tokens=self.max_tokens or None)
            if get_operation_ast(document, name) is None:
                return False
            return not validate(self.schema._schema, document)
        except (GraphQLError, RecursionError):
            return False

    async def on_ws_connect(self, context: Context) -> Any:
        """Officers put `{"authorization": "Bearer <token>"}` in connection_init's payload."""
        params = context.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        context.authorization = authorization if isinstance(authorization, str) else None
        context.forget_officer()
        try:
            await context.officer()
        except ClientError:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
        finally:
            await context.release()
        return UNSET

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        parsed = _PARSED.get()
        if parsed is not None and parsed[0] is data:
            decoded = parsed[1]
        else:  # orjson's JSONDecodeError: 400 over HTTP, 4400 on a socket
            decoded = orjson.loads(data)
        if not isinstance(decoded, dict | list):
            raise orjson.JSONDecodeError("A GraphQL request is a JSON object.", str(data), 0)
        return decoded
