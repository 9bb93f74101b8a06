"""Who may cache a GraphQL response over HTTP, and for how long.

An anonymous GET of the public record answers the same bytes to everyone until the data
changes, so browsers and shared caches (a CDN in front of pakn) may keep it for
`PAKN_CACHE_SECONDS` and revalidate it by its strong ETag (`app.web.compression` answers the
`If-None-Match` with 304 and gives each content encoding its own tag). Everything else
(a POST, an officer's request, a response with errors, which may be transient, one a
resolver made for its caller alone: `Context.no_store`) is
`private, no-store`: a petitioner's secret and an officer's view must never sit in a
shared cache.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.web.etag import strong_etag

NO_STORE = "private, no-store"


def apply_cache_policy(request: Request, response: Response, max_age: int) -> None:
    body = getattr(response, "body", None)
    context = request.scope.get("state", {}).get("context")
    public = (
        request.method == "GET"
        and not getattr(context, "no_store", False)
        and "authorization" not in request.headers
        and response.status_code == 200
        and isinstance(body, bytes)
        and b'"errors":' not in body
    )
    if not public:
        response.headers["Cache-Control"] = NO_STORE
        return
    assert isinstance(body, bytes)
    response.headers["ETag"] = strong_etag(body)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Vary"] = "Authorization"
