"""What each request did, for the metrics and the access log: one `Observation` per HTTP
request or WebSocket, made by the `Observe` middleware and filled in by the layers that
know (the GraphQL view names the operation and reports its errors, the sockets report
the operations they start and the errors they send).

`Observe` sits inside the trusted-proxy rule (it sees the client's address, not the
proxy's) and outside every refusal (the read limit, the body limit), so a refused request
is counted and logged too. When a request ends it counts it (`pakn_requests_total`, its
duration) and writes one access log line; a WebSocket, one line when it closes, and its
operations are counted as they start. A refusal answered in pakn's JSON error shape by a
layer that reported nothing (a 404, a 413, a 429, an export's) is read from that small
body: an error status whose body starts `{"errors":`. A request the application fails
before answering (an exception out of an outer middleware, answered by uvicorn's own plain
500) is logged and counted as status 500, INTERNAL_SERVER_ERROR.

An operation's name labels the metrics only once its document has passed validation
(`Observation.validated`): over HTTP when a result shows that execution began, on a socket
when the view's check (`Observation.check`) parses and validates it as the operation
starts. Until then a name the label set does not hold yet counts as `other`, so junk names
in documents that fail take no place among the `MAX_LABEL_VALUES`. The log names the
operation the client claimed either way.

The access log holds no personal data and no secret: the route template, never the path
(`/unsubscribe/{token}`, `/files/{sha256}`), no query string, body, variables or headers,
and for the client a keyed hash of its address (HMAC-SHA256 under a key derived from the
secret key, `CLIENT_HASH_CHARS` hex characters): requests of one client can be told
apart from another's, and the address cannot be read back.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.guard import request_id_of
from app.web.log_format import FIELDS
from app.web.metrics import NAME, OTHER, Metrics

OBSERVATION = "pakn_observation"
"""The scope state key of a request's `Observation`."""
ANONYMOUS = "-"
CLIENT_HASH_CHARS = 16
REFUSALS = {
    "QUERY_TOO_COSTLY": "cost",
    "QUERY_TOO_DEEP": "depth",
    "TOO_MANY_TOKENS": "tokens",
    "TOO_MANY_ALIASES": "aliases",
    "TOO_MANY_SOCKETS": "socket_limit",
    "TOO_MANY_SUBSCRIPTIONS": "socket_limit",
    "REQUEST_TOO_LARGE": "body_too_large",
    "RATE_LIMITED": "read_rate",
}
"""The refusal each top-level error code counts as; RATE_LIMITED among userErrors is the
hourly submission limit instead (`rate_limited`)."""
_DECLARED = re.compile(r"\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+(\w{1,64})\b")
_SNIFFED = re.compile(rb'"code":"([A-Z][A-Z0-9_]{0,63})"')
SNIFF_BYTES = 2048
INTERNAL = "INTERNAL_SERVER_ERROR"
EXECUTION_REFUSALS = frozenset({"QUERY_TOO_COSTLY"})
"""Codes refused as execution begins (`schema.extensions.QueryCost`), after validation."""

access_log = logging.getLogger("pakn.access")


def declared_name(query: str) -> str | None:
    """The name the document's first operation declares (`query Petitions { ... }`)."""
    found = _DECLARED.match(query)
    return found.group(1) if found else None


def _code(error: Any) -> str | None:
    extensions = (
        error.get("extensions") if isinstance(error, dict) else getattr(error, "extensions", None)
    )
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return code if isinstance(code, str) else None


def _path(error: Any) -> object:
    return error.get("path") if isinstance(error, dict) else getattr(error, "path", None)


def executed(data: object, errors: Iterable[Any] | None) -> bool:
    """Whether a result shows that its document passed parsing and validation: execution
    began (data, no error, an error at a field's path, or a refusal as execution begins).
    Parse and validation errors, and an unknown operation name, have none of these."""
    found = list(errors or ())
    return (
        data is not None
        or not found
        or any(_path(error) or _code(error) in EXECUTION_REFUSALS for error in found)
    )


class Observation:
    """One request's or socket's operation and coded errors, counted as they are noted."""

    __slots__ = (
        "check",
        "claimed",
        "error_code",
        "metrics",
        "name",
        "operation",
        "operations",
        "transport",
    )

    def __init__(self, metrics: Metrics | None, transport: str) -> None:
        self.metrics = metrics
        self.transport = transport
        self.operation: str | None = None
        """The metrics' (bounded) label of the GraphQL operation."""
        self.name: str | None = None
        """The operation's name for the log: an identifier, else `other`."""
        self.claimed: str | None = None
        """The name the client gave, until its document is known to be valid."""
        self.check: Callable[[str, str], bool] | None = None
        """On a socket, the view's: whether a document is valid and holds operation
        `name` (`PaknGraphQL.valid_operation`)."""
        self.error_code: str | None = None
        self.operations = 0

    def named(self, name: object, query: object = None) -> None:
        """The GraphQL operation is `name` (its `operationName`), or else the name its
        document declares; on a socket, one more operation started. The metrics' label is
        that name only if the label set holds it already; a new one waits for
        `validated` (on a socket, `check` decides at once)."""
        metrics = self.metrics
        if metrics is None:
            return
        if not isinstance(name, str) and isinstance(query, str):
            name = declared_name(query)
        self.claimed = None
        if isinstance(name, str):
            label = metrics.operation_label
            self.operation = name if label.holds(name) else OTHER
            self.name = name if NAME.fullmatch(name) else OTHER
            if self.operation == OTHER and label.admits(name):
                self.claimed = name
        else:
            self.operation = self.name = ANONYMOUS
        if self.transport == "ws":
            if self.claimed is not None and self._checks(query, self.claimed):
                self.validated()
            self.operations += 1
            metrics.answered("ws", self.operation)

    def checked_by(self, check: Callable[[str, str], bool]) -> None:
        """A socket's operations are checked by `check` (see `Observation.check`)."""
        if self.metrics is not None:
            self.check = check

    def _checks(self, query: object, name: str) -> bool:
        return self.check is not None and isinstance(query, str) and self.check(query, name)

    def validated(self) -> None:
        """The named operation's document passed parsing and validation: its name may
        take a place in the label set."""
        if self.metrics is not None and self.claimed is not None:
            self.operation = self.metrics.operation_label(self.claimed)
            self.claimed = None

    def failed(self) -> None:
        """The application raised before answering: the server's own 500."""
        self.error_code = None
        self.error(INTERNAL)

    def error(self, code: str, *, user_error: bool = False) -> None:
        metrics = self.metrics
        if metrics is None:
            return
        if self.error_code is None:
            self.error_code = metrics.code_label(code)
        metrics.error(code)
        reason = "rate_limited" if user_error and code == "RATE_LIMITED" else REFUSALS.get(code)
        if reason is not None:
            metrics.refused(reason)

    def refused(self, reason: str) -> None:
        if self.metrics is not None:
            self.metrics.refused(reason)

    def result(self, data: object, errors: Iterable[Any] | None) -> None:
        """A GraphQL result's codes: its errors', and its root fields' `userErrors`. Over
        HTTP, a result whose execution began validates the request's operation name."""
        errors = list(errors or ())
        if self.transport == "http" and self.claimed is not None and executed(data, errors):
            self.validated()
        for error in errors:
            code = _code(error)
            if code is not None:
                self.error(code)
        if isinstance(data, dict):
            for value in data.values():
                problems = value.get("userErrors") if isinstance(value, dict) else None
                for problem in problems if isinstance(problems, list) else ():
                    code = problem.get("code") if isinstance(problem, dict) else None
                    if isinstance(code, str):
                        self.error(code, user_error=True)

    def message(self, message: Any) -> None:
        """A message a socket sends: the errors of a result, an `error`, a refusal."""
        payload = message.get("payload") if isinstance(message, dict) else None
        if isinstance(payload, list):
            self.result(None, payload)
        elif isinstance(payload, dict):
            if "errors" in payload or "data" in payload:
                self.result(payload.get("data"), payload.get("errors"))
            elif "extensions" in payload:
                self.result(None, [payload])


UNOBSERVED = Observation(None, "-")
"""What `observed` gives outside `Observe` (a test's bare application): notes nothing."""


def observed(scope: Scope) -> Observation:
    state = scope.get("state")
    found = state.get(OBSERVATION) if state is not None else None
    return found if found is not None else UNOBSERVED


def _route(scope: Scope) -> str:
    """The template of the route that answered (`/unsubscribe/{token}`), or `-`."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else ANONYMOUS


def client_hasher(secret_key: str) -> Callable[[str], str]:
    key = hmac.new(secret_key.encode(), b"pakn access log client", hashlib.sha256).digest()

    @functools.lru_cache(maxsize=4096)
    def hashed(address: str) -> str:
        return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:CLIENT_HASH_CHARS]

    return hashed


class Observe:
    """ASGI middleware: an `Observation` per request and socket, counted and logged when
    it ends (see the module)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, secret_key: str) -> None:
        self.app = app
        self.metrics = metrics
        self.client = client_hasher(secret_key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._socket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = request_id_of(scope)
        seen = Observation(self.metrics, "http")
        scope["state"][OBSERVATION] = seen
        status = 0
        sniff = False

        async def sending(message: Message) -> None:
            nonlocal status, sniff
            if message["type"] == "http.response.start":
                status = message["status"]
                sniff = status >= 400 and not any(
                    name == b"content-encoding" for name, _ in message.get("headers", ())
                )
            elif sniff and message["type"] == "http.response.body":
                sniff = False
                if seen.error_code is None:
                    _sniff(seen, message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if not status:  # uvicorn answers its own plain 500
                status = 500
                seen.failed()
            raise
        finally:
            seconds = time.perf_counter() - started
            route = _route(scope)
            self.metrics.answered("http", seen.operation or route, seconds)
            if access_log.isEnabledFor(logging.INFO):
                self._log(scope, seen, request_id, route, status or None, seconds)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = request_id_of(scope)
        seen = Observation(self.metrics, "ws")
        scope["state"][OBSERVATION] = seen
        accepted = False
        status: int | None = None

        async def sending(message: Message) -> None:
            nonlocal accepted, status
            await send(message)
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                self.metrics.socket_opened()
            elif message["type"] == "websocket.close" and status is None:
                status = int(message.get("code", 1000)) if accepted else 403

        async def receiving() -> Message:
            nonlocal status
            message = await receive()
            if message["type"] == "websocket.disconnect" and status is None:
                status = int(message.get("code", 1005))
            return message

        try:
            await self.app(scope, receiving, sending)
        finally:
            if accepted:
                self.metrics.socket_closed()
            if access_log.isEnabledFor(logging.INFO):
                seconds = time.perf_counter() - started
                self._log(scope, seen, request_id, _route(scope), status, seconds)

    def _log(
        self,
        scope: Scope,
        seen: Observation,
        request_id: str,
        route: str,
        status: int | None,
        seconds: float,
    ) -> None:
        client = scope.get("client")
        fields = {
            "request_id": request_id,
            "transport": seen.transport,
            "method": scope.get("method", "WS"),
            "route": route,
            "operation": seen.name or route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "error_code": seen.error_code,
            "client": self.client(str(client[0])) if client else None,
        }
        if seen.transport == "ws":
            fields["operations"] = seen.operations
        access_log.info("%s %s %s", fields["method"], route, status, extra={FIELDS: fields})


def _sniff(seen: Observation, body: bytes) -> None:
    if body.startswith(b'{"errors":'):
        found = _SNIFFED.search(body, 0, SNIFF_BYTES)
        if found is not None:
            seen.error(found.group(1).decode())
