"""Cross-origin access for browser apps on other origins (Starlette's CORSMiddleware).

Any origin may read the public API by default (`Access-Control-Allow-Origin: *`, never
with credentials: pakn authorises by a bearer header or a petitioner's secret, not by a
cookie, so a page on another origin gains nothing a script could not do).
`PAKN_CORS_ORIGINS` narrows it to a list; the WebSocket origin check follows the same list
(`app.web.graphql_view`). Only the API's paths answer cross-origin; the website does not.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http.websocket_origin import normalize_allowed_origins

from app.web.guard import error_body

API_PATH = "/graphql"
API_PREFIXES = ("/export/", "/log/", "/files/")
ALLOWED_METHODS = ("GET", "HEAD", "POST")
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Apollo-Require-Preflight",
    "GraphQL-Preflight",
    "If-None-Match",
    "X-Request-Id",
)
EXPOSED_HEADERS = (
    "ETag",
    "X-Request-Id",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "Content-Disposition",
    "Pakn-Log-Checkpoint",
)
PREFLIGHT_MAX_AGE = 86400


def is_api_path(path: str) -> bool:
    return path == API_PATH or path.startswith(API_PREFIXES)


class _JsonRefusals(CORSMiddleware):
    """A refused preflight answers in the API's JSON error shape, not Starlette's text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        body = error_body(
            "CORS_ORIGIN_NOT_ALLOWED",
            "This origin, method or header is not allowed cross-origin.",
        )
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        headers["content-type"] = "application/json"
        return Response(body, response.status_code, headers=headers)


class ApiCORS:
    """CORS on the API's paths only; `origins` empty means any origin.

    Origins are compared as browsers send them (lower case, no default port, no slash):
    the list is normalised as the WebSocket check normalises it, so the two agree, and an
    entry that is not an origin stops the server at start."""

    def __init__(self, app: ASGIApp, origins: Sequence[str] = ()) -> None:
        self.app = app
        self.cors = _JsonRefusals(
            app,
            allow_origins=sorted(normalize_allowed_origins(origins)) or ["*"],
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_api_path(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
