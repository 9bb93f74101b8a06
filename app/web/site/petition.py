"""`/p/<trackingCode>`: one petition (being built)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.web.site.api import Problem, SiteApi
from app.web.site.pages import failed
from app.web.site.templating import Visit


def petition_page(api: SiteApi):  # type: ignore[no-untyped-def]
    async def page(request: Request) -> Response:
        return failed(Visit.of(request), [Problem("NOT_FOUND", "")], status=404)

    return page
