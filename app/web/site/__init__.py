"""pakn's website (#17): server-rendered pages over the service's own GraphQL API.

`site_routes` gives the routes: `/` (dashboard), `/petitions` (search), `/p/<code>`,
`/agencies`, `/agencies/<code>`, `/submit`, `/track`, and the site's own scripts and
styles at `/static/site/`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.web.graphql_view import PaknGraphQL
from app.web.site.agencies import agencies_page, agency_page
from app.web.site.api import SiteApi
from app.web.site.dashboard import dashboard
from app.web.site.forms import submit_page, track_page
from app.web.site.petition import petition_page
from app.web.site.petitions import petitions_page
from app.web.site.templating import STATIC_PREFIX

STATIC = __file__.rsplit("/", 1)[0] + "/static"


def site_routes(graphql: PaknGraphQL) -> list[BaseRoute]:
    api = SiteApi(graphql)
    return [
        Route("/", dashboard(api), methods=["GET"]),
        Route("/petitions", petitions_page(api), methods=["GET"]),
        Route("/p/{code}", petition_page(api), methods=["GET"]),
        Route("/agencies", agencies_page(api), methods=["GET"]),
        Route("/agencies/{code}", agency_page(api), methods=["GET"]),
        Route("/submit", submit_page(api), methods=["GET", "POST"]),
        Route("/track", track_page(api), methods=["GET", "POST"]),
        Mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC)),
    ]
