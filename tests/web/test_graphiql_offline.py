"""GraphiQL works with no network but pakn itself (#17, point 1): its page names only
pakn's own copies of the scripts and styles Strawberry loads from unpkg.com, each served
byte for byte as its integrity attribute says and cacheable for a year; in Chromium, on a
machine that reaches nothing beyond loopback, the page comes up and reads the schema."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.support.browser_driver import browser_or_skip, chromium_driver
from tests.support.server import RunningServer
from tests.support.workflow import workflow_settings

ASSET = re.compile(r'(?:src|href)="(/static/graphiql/[^"]+)"\s+integrity="([^"]+)"')


def _page(server: RunningServer) -> str:
    response = server.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    return response.text


def test_the_page_names_only_pakns_own_assets_and_each_is_the_pinned_build(
    empty_database: str,
) -> None:
    with RunningServer(workflow_settings(empty_database)) as server:
        page = _page(server)
        assert "unpkg.com" not in page and "https://" not in page.split("<body")[0]
        assets = ASSET.findall(page)
        assert len(assets) == 7
        for path, integrity in assets:
            response = server.client.get(path)
            assert response.status_code == 200, path
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
            digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
            assert integrity == f"sha384-{digest}", path
        assert server.client.get("/static/graphiql/nothing.js").status_code == 404
        assert server.client.get("/static/graphiql/../../main.py").status_code == 404


@pytest.fixture
def browser_tools() -> tuple[str, str]:
    return browser_or_skip()


def test_graphiql_comes_up_and_reads_the_schema_offline(
    browser_tools: tuple[str, str], empty_database: str
) -> None:
    node, chromium = browser_tools
    with (
        RunningServer(workflow_settings(empty_database)) as server,
        chromium_driver(node, chromium) as browser,
    ):
        browser.command("open", page="g", url=f"{server.url}/graphql")
        browser.wait_for(
            lambda: len(browser.requests("g", f"{server.url}/graphql")) >= 2,
            "GraphiQL reading the schema",
        )
        shown = "!!document.querySelector('.graphiql-container')"
        assert browser.command("eval", page="g", expression=shown), "GraphiQL on the page"
        requested = [m["url"] for m in browser.where(kind="request", page="g")]
        elsewhere = [u for u in requested if not u.startswith((server.url, "data:", "blob:"))]
        assert elsewhere == [], "the page asked for nothing but pakn"
        script = f"{server.url}/static/graphiql/graphiql@3.8.3/graphiql.min.js"
        assert [r["status"] for r in browser.responses("g", script)] == [200]
