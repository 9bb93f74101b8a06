"""The README's browser snippet, run as written in headless Chromium on another origin.

The block between `<!-- browser-snippet -->` and `<!-- /browser-snippet -->` in README.md
is served as a module from a small HTTP server on 127.0.0.2 (another origin than pakn's
127.0.0.1), with an import map that points its bare specifiers at the ESM files in
node_modules; only the server's URL and the tracking code are substituted. Chromium
(`node/browser.mjs`, playwright-core) runs it against a real pakn server, so the browser
itself makes the CORS preflights, the cross-origin GET and POST of the persisted query and
the cross-origin WebSocket. The test moves the petition on, restarts the server while the
page follows it, and reads what the page printed on its console.

It needs node, node_modules (`make node`) and Chromium (`make browser`, or
PAKN_TEST_CHROMIUM); without them it skips with a message, except under CI=true, where it
fails.

The page's origin is `tests.support.browser_page`, the Chromium driver
`tests.support.browser_driver`; this module is the scenario.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.browser_driver import browser_or_skip, chromium_driver
from tests.support.browser_page import SNIPPET_CODE, SNIPPET_URL, PageServer, readme_snippet
from tests.support.server import RunningServer
from tests.support.workflow import Tokens, Workflow, workflow_settings


def public_events(server: RunningServer, code: str) -> list[dict[str, Any]]:
    data = server.gql(
        "query($c: String!) { petition(trackingCode: $c) { events(first: 100) { edges {"
        " cursor node { action toStatus at } } } } }",
        {"c": code},
    )
    return [{"cursor": e["cursor"], **e["node"]} for e in data["petition"]["events"]["edges"]]


class Petition:
    """The petition the page follows, moved on by whoever takes each step."""

    def __init__(self, workflow: Workflow) -> None:
        submitted = workflow.submit()
        self.code: str = submitted["trackingCode"]
        self.secret: str = submitted["secret"]
        self.latest: dict[str, Any] = submitted["petition"]

    def step(self, on: RunningServer, tokens: Tokens, name: str) -> None:
        self.latest = Workflow(on, tokens).step(name, self.latest, self.secret)


@pytest.fixture
def browser_tools() -> tuple[str, str]:
    return browser_or_skip()


def test_the_readme_snippet_follows_a_petition_from_another_origin_across_a_restart(
    browser_tools: tuple[str, str], lifecycle_database: str, lifecycle_tokens: Tokens
) -> None:
    node, chromium = browser_tools
    snippet = readme_snippet()
    assert snippet.count(SNIPPET_URL) == 1 and snippet.count(SNIPPET_CODE) == 1, snippet
    settings = workflow_settings(lifecycle_database)
    with ExitStack() as servers:
        server = servers.enter_context(RunningServer(settings))
        graphql = f"{server.url}/graphql"
        petition = Petition(Workflow(server, lifecycle_tokens))
        page_js = snippet.replace(SNIPPET_URL, graphql).replace(SNIPPET_CODE, petition.code)
        with PageServer(page_js) as page_server, chromium_driver(node, chromium) as browser:
            browser.command("open", page="a", url=f"{page_server.origin}/")
            # (a) The query: the page printed the petition it got.
            browser.wait_for(lambda: browser.console("a"), "the page's query result")
            assert browser.console("a")[0] == [petition.code, "SUBMITTED", None]
            browser.wait_for(
                lambda: browser.frames("a", "subscribe", kind="ws-sent"), "the subscription"
            )

            # (b) Live: the ASSIGN, then a restart, which closes the socket with 1012.
            petition.step(server, lifecycle_tokens, "assign")
            browser.wait_for(lambda: len(browser.console("a")) >= 2, "the ASSIGN event")
            server.stop()
            browser.wait_for(lambda: browser.where(kind="ws-close", page="a"), "the close")
            # While nothing listens on the page's port, a server on another port (and the
            # same database) takes two steps: the page can only learn of them by replay.
            side = servers.enter_context(RunningServer(settings))
            petition.step(side, lifecycle_tokens, "acknowledge")
            petition.step(side, lifecycle_tokens, "answer")
            side.stop()
            assert len(browser.frames("a", "connection_ack")) == 1, "reconnected too early"
            restarted = servers.enter_context(RunningServer(settings, port=server.port))
            browser.wait_for(lambda: len(browser.console("a")) >= 4, "the missed events", 45)
            petition.step(restarted, lifecycle_tokens, "rate")
            browser.wait_for(lambda: len(browser.console("a")) >= 5, "the RATE event")

            # A second page: the same query, its hash now known, is a GET of the hash alone.
            browser.command("open", page="b", url=f"{page_server.origin}/")
            browser.wait_for(lambda: browser.console("b"), "the second page's query result")
            sockets = browser.command("eval", page="a", expression="window.sockets")
        events = public_events(restarted, petition.code)

        # Nothing failed in the pages but refused reconnection attempts, if there were any.
        errors = [
            m["text"]
            for m in browser.where(kind="console", type="error")
            if not m["text"].startswith("WebSocket connection to")
        ]
        assert not errors, errors
        # Every event after the one the page began from, once each, in order.
        printed = browser.console("a")[1:]
        assert printed == [[e["action"], e["toStatus"], e["at"]] for e in events[1:]]
        assert [line[0] for line in printed] == ["ASSIGN", "ACKNOWLEDGE", "ANSWER", "RATE"]
        # graphql-ws retried the 1012 by itself and resubscribed from the first cursor, so
        # the replay repeated the ASSIGN, and the snippet dropped it.
        assert {s["url"] for s in sockets} == {graphql.replace("http://", "ws://")}
        assert sockets[0]["closeCode"] == 1012
        assert sockets[-1]["opened"] and sockets[-1]["closeCode"] is None
        assert len(browser.frames("a", "connection_ack")) == 2
        streamed = [f["payload"]["data"]["petitionEvents"] for f in browser.frames("a", "next")]
        assert [e["action"] for e in streamed] == [
            "ASSIGN",
            "ASSIGN",
            "ACKNOWLEDGE",
            "ANSWER",
            "RATE",
        ]

        # CORS: the browser asked before it sent JSON, and pakn let the page's origin read.
        preflights = [m for m in browser.requests("a", graphql) if m["method"] == "OPTIONS"]
        assert preflights, "the browser sent no CORS preflight"
        assert {m["headers"]["Origin"] for m in preflights} == {page_server.origin}
        answered = browser.responses("a", graphql) + browser.responses("b", graphql)
        assert {m["type"] for m in answered} >= {"Preflight", "Fetch"}
        assert all(m["status"] == 200 for m in answered), answered
        assert all(m["headers"]["access-control-allow-origin"] == "*" for m in answered)

        # Persisted queries: the first page's GET of the hash was refused as unknown, so it
        # POSTed the text once; the second page's GET of the hash alone was answered.
        fetches_a = [m for m in browser.requests("a", graphql) if m["method"] != "OPTIONS"]
        assert [m["method"] for m in fetches_a] == ["GET", "POST"]
        fetches_b = [m for m in browser.requests("b", graphql) if m["method"] != "OPTIONS"]
        assert [m["method"] for m in fetches_b] == ["GET"]
        sent = parse_qs(urlsplit(fetches_b[0]["url"]).query)
        assert "query" not in sent
        assert json.loads(sent["extensions"][0])["persistedQuery"]["version"] == 1
        assert browser.console("b")[0] == [petition.code, events[-1]["toStatus"], "Bộ Tài chính"]
