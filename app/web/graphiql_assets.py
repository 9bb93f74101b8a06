"""GraphiQL's scripts and styles served by pakn (#17): the pinned builds Strawberry's page
loads from unpkg.com, vendored in `app/web/static/graphiql/` (its README names them and
their licenses), at `/static/graphiql/<package>@<version>/<file>`, cacheable for a year:
a path names one version of one file."""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/static/graphiql/"
CDN = "https://unpkg.com/"
FOLDER = Path(__file__).parent / "static" / "graphiql"
IMMUTABLE = b"public, max-age=31536000, immutable"


def local_graphiql(html: str) -> str:
    """The page with every unpkg.com address turned into pakn's own."""
    return html.replace(CDN, PREFIX)


def graphiql_assets() -> ASGIApp:
    files = StaticFiles(directory=FOLDER)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        async def cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [*message.get("headers", []), (b"cache-control", IMMUTABLE)]
            await send(message)

        await files(scope, receive, cached)

    return app
