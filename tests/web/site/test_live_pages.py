"""The site's live updates in Chromium (#17, static/live.js over the server's own
WebSocket): the dashboard's feed adds each event as the item the server itself renders
for it; a petition's page re-reads itself when its events arrive, keeps the reader's
focus and open <details>, and says so once, politely; and when the server refuses to
replay what a page missed while it was away (REPLAY_TOO_LONG), the page reads itself
again and resumes where the refusal says, missing nothing. On both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.support.browser_driver import Browser, browser_or_skip, chromium_driver
from tests.support.server import RunningServer
from tests.support.workflow import Tokens, Workflow, workflow_settings

MAX_REPLAY = 2
SECOND_ANSWER = "Trả lời lần hai: thủ tục đã được rút ngắn còn mười ngày làm việc."
TIMELINE = "document.querySelectorAll('ol.timeline li').length"
PLACE = """(() => {
  const details = document.querySelector('details.seal-details');
  return {open: details.open, focused: document.activeElement === details.querySelector('summary'),
          announced: document.getElementById('live-announce').textContent};
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    node, chromium = browser_or_skip()
    with chromium_driver(node, chromium) as driver:
        yield driver


def _connected(browser: Browser, page: str, count: int = 1) -> None:
    browser.wait_for(
        lambda: len(browser.frames(page, "subscribe", kind="ws-sent")) >= count,
        f"subscription {count} of the page",
    )


def _timeline_at_least(browser: Browser, page: str, count: int) -> None:
    browser.command(
        "waitFor",
        page=page,
        selector=f"ol.timeline li:nth-child({count})",
        state="attached",
        timeoutMs=20_000,
    )


def _flat(text: str) -> str:
    """Text with every run of white space one space (ICU and Babel differ in the narrow
    no-break space before AM/PM)."""
    return re.sub(r"\s+", " ", text).strip()


def test_the_feed_adds_an_event_as_the_server_lists_it(
    browser: Browser, workflow: Workflow, backend: str
) -> None:
    for lang in ("vi", "en"):
        page = f"feed-{lang}-{backend}"
        subscribed = workflow.server.subscriptions()
        browser.command("open", page=page, url=f"{workflow.server.url}/?lang={lang}")
        workflow.server.wait_for_subscriptions(subscribed + 1)
        code = workflow.submit()["petition"]["trackingCode"]
        browser.command("waitFor", page=page, selector=f'#feed li:first-child a:text-is("{code}")')
        first = "document.querySelector('#feed li')"
        live = browser.command("eval", page=page, expression=f"{first}.outerHTML")
        live_text = browser.command("eval", page=page, expression=f"{first}.textContent")
        # another address: the page is cacheable for 10 s, and the cached copy predates it
        browser.command("goto", page=page, url=f"{workflow.server.url}/?lang={lang}&again")
        served = browser.command("eval", page=page, expression=f"{first}.outerHTML")
        served_text = browser.command("eval", page=page, expression=f"{first}.textContent")
        assert _flat(live_text) == _flat(served_text)
        tags = re.compile(r"<(\w+)([^>]*)>")
        assert tags.findall(live) == tags.findall(served)


def test_a_petition_page_updates_in_place_and_resumes_after_a_refused_replay(
    browser: Browser, lifecycle_database: str, lifecycle_tokens: Tokens, backend: str
) -> None:
    """While the page's server is down, a second server (same database) takes more steps
    than the restarted one will replay; the page learns of them by reading itself."""
    settings = workflow_settings(lifecycle_database, max_replay=MAX_REPLAY)
    with RunningServer(settings) as server:
        workflow = Workflow(server, lifecycle_tokens)
        petition, secret = workflow.answered()
        code = petition["trackingCode"]
        page = f"petition-{backend}"
        browser.command("open", page=page, url=f"{server.url}/p/{code}?lang=en")
        _connected(browser, page)
        server.wait_for_subscriptions(1)
        before = browser.command("eval", page=page, expression=TIMELINE)
        browser.command(
            "eval",
            page=page,
            expression="""(() => { const d = document.querySelector('details.seal-details');
              d.open = true; d.querySelector('summary').focus(); })()""",
        )

        petition = workflow.act(
            "follow_up", None, petition, secret=secret, body="Vẫn chưa được giải quyết."
        )
        _timeline_at_least(browser, page, before + 1)
        place = browser.command("eval", page=page, expression=PLACE)
        assert place == {
            "open": True,
            "focused": True,
            "announced": "This page was updated. Status: In progress",
        }

        server.stop()
        browser.wait_for(lambda: browser.where(kind="ws-close", page=page), "the close")
        with RunningServer(settings) as side:
            officer = Workflow(side, lifecycle_tokens)
            for number in range(MAX_REPLAY + 1):
                petition = officer.act(
                    "progress", lifecycle_tokens.btc, petition, note=f"Đang xử lý, bước {number}."
                )
        with RunningServer(settings, port=server.port) as restarted:
            refused = lambda: [  # noqa: E731
                frame
                for frame in browser.frames(page, "next") + browser.frames(page, "error")
                if "REPLAY_TOO_LONG" in str(frame)
            ]
            browser.wait_for(refused, "the refused replay", 45)
            _timeline_at_least(browser, page, before + 1 + MAX_REPLAY + 1)
            _connected(browser, page, 3)
            sent = [
                frame["payload"]["variables"]["after"]
                for frame in browser.frames(page, "subscribe", kind="ws-sent")
            ]
            resume = refused()[0]["payload"]["errors"][0]["extensions"]["resumeAfter"]
            assert sent[2] == resume != sent[1], sent

            Workflow(restarted, lifecycle_tokens).act(
                "answer",
                lifecycle_tokens.btc,
                petition,
                body=SECOND_ANSWER,
            )
            browser.command("waitFor", page=page, selector="#answer-2", timeoutMs=20_000)
    assert not browser.where(kind="pageerror", page=page)
