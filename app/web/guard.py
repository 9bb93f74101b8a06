"""HTTP-level guards, independent of GraphQL: request ids and a request body limit."""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""A client's `X-Request-Id` worth keeping: no space, `=` or quote to forge a log field."""
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
"""The stable code of each HTTP refusal, in the JSON error shape of every other one."""


def error_body(code: str, message: str, **extensions: Any) -> bytes:
    """A GraphQL-shaped error document, so clients parse one format for every refusal."""
    return orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    )


async def send_error(
    send: Send, status: int, code: str, message: str, request_id: str, *, id_header: bool = True
) -> None:
    """`id_header=False` where `send` is `RequestGuard`'s, which adds `X-Request-Id`."""
    body = error_body(code, message, requestId=request_id)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"private, no-store"),
    ]
    if id_header:
        headers.append((REQUEST_ID_HEADER, request_id.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _client_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            if CLIENT_REQUEST_ID.fullmatch(text):
                return text
    return None


def request_id_of(scope: Scope) -> str:
    """The request's id, made once: the client's `X-Request-Id` (if it matches
    `CLIENT_REQUEST_ID`), else a new one. The access log (`app.web.observation`) asks
    first, so that a request refused before this guard is logged with an id too."""
    state = scope.setdefault("state", {})
    request_id = state.get("request_id")
    if request_id is None:
        request_id = state["request_id"] = _client_request_id(scope) or uuid.uuid4().hex
    return str(request_id)


UPLOAD_PATHS = frozenset({"/graphql", "/submit"})
"""Where files are posted: the API (multipart requests) and the website's submit form."""


class RequestGuard:
    """Gives every request an id (echoed in `X-Request-Id`) and refuses oversized bodies.

    A body over `max_body_bytes` is refused with 413 and code REQUEST_TOO_LARGE before the
    application reads it, whether the client declared its length or streamed it.

    A multipart POST to `/graphql` (files uploaded by the GraphQL multipart request
    specification) or to the website's `/submit` form may be larger, up to
    `max_upload_bytes` more, and is passed on as it streams, not gathered here:
    Starlette's parser spools its files to disk. It must
    declare its length (411 LENGTH_REQUIRED otherwise), so that one too large is refused
    before a byte of it is read.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int = 0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        headers = dict(scope.get("headers", ()))
        declared = headers.get(b"content-length")
        if self._uploading(scope, headers):
            await self._upload(scope, receive, send, request_id, declared)
            return
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._refuse(send, request_id)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > self.max_body_bytes:
                await self._refuse(send, request_id)
                return
            more = message.get("more_body", False)
        await self.app(scope, _replay(bytes(body), receive), _with_request_id(send, request_id))

    def _uploading(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        return (
            self.max_upload_bytes > 0
            and scope.get("method") == "POST"
            and scope.get("path") in UPLOAD_PATHS
            and content_type == b"multipart/form-data"
        )

    async def _upload(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, declared: bytes | None
    ) -> None:
        most = self.max_body_bytes + self.max_upload_bytes
        if declared is None:
            await send_error(
                send,
                411,
                "LENGTH_REQUIRED",
                "A multipart request must declare its Content-Length.",
                request_id,
            )
        elif not declared.isdigit() or int(declared) > most:
            await self._refuse(send, request_id, most)
        else:
            bounded = _bounded_to(int(declared), receive)
            await self.app(scope, bounded, _with_request_id(send, request_id))

    async def _refuse(self, send: Send, request_id: str, most: int | None = None) -> None:
        await send_error(
            send,
            413,
            "REQUEST_TOO_LARGE",
            f"The request body is larger than {most or self.max_body_bytes} bytes.",
            request_id,
        )


def _bounded_to(declared: int, receive: Receive) -> Receive:
    """`receive`, ending the body at its declared length whatever the connection sends
    (a server that took both Content-Length and chunking would otherwise read on)."""
    left = declared

    async def bounded() -> Message:
        nonlocal left
        if left <= 0:
            return {"type": "http.request", "body": b"", "more_body": False}
        message = await receive()
        if message["type"] != "http.request":
            return message
        body = message.get("body", b"")[:left]
        left -= len(body)
        more = message.get("more_body", False) and left > 0
        return {"type": "http.request", "body": body, "more_body": more}

    return bounded


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _with_request_id(send: Send, request_id: str) -> Send:
    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                *message.get("headers", []),
                (REQUEST_ID_HEADER, request_id.encode()),
            ]
        await send(message)

    return send_with_id
