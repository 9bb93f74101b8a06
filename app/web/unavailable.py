"""HTTP 503 for a database out of reach: `Retry-After`, and DATABASE_UNAVAILABLE in pakn's
error format, never a 500 or the driver's message (`db.availability` says which errors)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Send

from app.web.guard import REQUEST_ID_HEADER, error_body
from db.availability import database_unavailable
from schema.extensions import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE

logger = logging.getLogger("pakn.unavailable")

STATUS = 503
HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "private, no-store"}


def unavailable_body(request_id: str | None = None, message: str = UNAVAILABLE_MESSAGE) -> bytes:
    extensions: dict[str, object] = {"retryAfterSeconds": RETRY_AFTER_SECONDS}
    if request_id is not None:
        extensions["requestId"] = request_id
    return error_body("DATABASE_UNAVAILABLE", message, **extensions)


def unavailable_response(
    request_id: str | None = None, message: str = UNAVAILABLE_MESSAGE
) -> Response:
    body = unavailable_body(request_id, message)
    return Response(body, STATUS, HEADERS, media_type="application/json")


def mark_unavailable(response: Response) -> None:
    """Make a GraphQL response one of whose errors is DATABASE_UNAVAILABLE a 503."""
    response.status_code = STATUS
    for name, value in HEADERS.items():
        response.headers[name] = value


async def send_unavailable(send: Send, request_id: str, *, id_header: bool = True) -> None:
    """The 503 through a raw ASGI `send` (`id_header=False` where `RequestGuard` adds the
    request id)."""
    body = unavailable_body(request_id)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in HEADERS.items()),
    ]
    if id_header:
        headers.append((REQUEST_ID_HEADER, request_id.encode()))
    await send({"type": "http.response.start", "status": STATUS, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def answers_unavailable(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """`endpoint`, answering 503 when the database is out of reach before its response
    is made (a streamed body that fails later is cut off: its 200 has gone)."""

    @functools.wraps(endpoint)
    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception as error:
            if not database_unavailable(error):
                raise
            request_id = request.scope.get("state", {}).get("request_id")
            logger.warning("database unavailable [request %s]: %r", request_id, error)
            return unavailable_response(request_id)

    return answer
