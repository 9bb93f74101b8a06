"""The site's live updates in Chromium (#17, static/live.js over the server's own
WebSocket): the dashboard's feed adds each event as the item the server itself renders
for it; a petition's page re-reads itself when its events arrive, keeps the reader's
focus and open <details>, and says so once, politely; and when the server refuses to
replay what a page missed while it was away (REPLAY_TOO_LONG), the page reads itself
again and resumes where the refusal says, missing nothing. On both databases."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.support.browser_driver import WAIT, Browser, browser_or_skip, chromium_driver
from tests.support.server import RunningServer
from tests.support.workflow import Tokens, Workflow, workflow_settings

MAX_REPLAY = 2
SECOND_ANSWER = "Trả lời lần hai: thủ tục đã được rút ngắn còn mười ngày làm việc."
TIMELINE = "document.querySelectorAll('ol.timeline li').length"
LISTEN = """(() => {
  window.__spoken = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      const region = node && node.closest('[aria-live], [role=status], [role=alert]');
      if (region && (region.getAttribute('aria-live') || 'polite') !== 'off') {
        window.__spoken.push(region.id || region.className);
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
})()"""
"""Records each change a screen reader would announce: one inside a live region that is
not switched off."""
CHECKS_SETTLED = """[...document.querySelectorAll('.check[data-log-index], .seal')]
  .every((e) => !['unchecked', 'checking'].includes(e.dataset.sealState || e.dataset.state))"""
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


def _settled_checks(browser: Browser, page: str) -> None:
    """Polled here: `Browser.wait_for` holds the lock that the driver's replies need."""
    deadline = time.monotonic() + WAIT
    while not browser.command("eval", page=page, expression=CHECKS_SETTLED):
        assert time.monotonic() < deadline, "the seal checks did not settle"
        time.sleep(0.1)


def test_an_update_keeps_the_focus_on_its_control_and_is_announced_once(
    browser: Browser, workflow: Workflow, backend: str
) -> None:
    """The answer adds links and a <summary> before the focused one, a similar petition's
    link; the focus stays on that link, and of all the page's live regions only the
    update's announcement speaks."""
    title = f"Thủ tục đăng ký đất đai kéo dài {backend} {uuid.uuid4().hex[:6]}"
    workflow.submit(title=title)
    submitted = workflow.submit(title=title)
    secret = submitted["secret"]
    petition = workflow.act(
        "assign",
        workflow.tokens.coordinator,
        submitted["petition"],
        agencyCode="BTC",
        fieldCode="DAT_DAI",
    )
    petition = workflow.step("acknowledge", petition, secret)
    code = petition["trackingCode"]
    page = f"focus-{backend}"
    subscribed = workflow.server.subscriptions()
    browser.command("open", page=page, url=f"{workflow.server.url}/p/{code}?lang=en")
    workflow.server.wait_for_subscriptions(subscribed + 1)
    similar = "document.querySelector('.results a')"
    href = browser.command("eval", page=page, expression=f"{similar}.getAttribute('href')")
    browser.command("eval", page=page, expression=f"{similar}.focus()")
    browser.command("eval", page=page, expression=LISTEN)

    workflow.step("answer", petition, secret)
    browser.command("waitFor", page=page, selector="#answer-1", timeoutMs=20_000)
    _settled_checks(browser, page)
    focused = "document.activeElement.getAttribute('href')"
    assert browser.command("eval", page=page, expression=focused) == href
    assert browser.command("eval", page=page, expression="window.__spoken") == ["live-announce"]


def test_a_petition_page_updates_in_place_and_resumes_after_a_refused_replay(
    browser: Browser, lifecycle_database: str, lifecycle_tokens: Tokens, backend: str
) -> None:
    """While the pages' server is down, a second server (same database) takes more steps
    than the restarted one will replay: the petition page and the dashboard's feed learn
    of them by reading themselves again (the feed's first missed event, a new petition,
    lies before where the refusal resumes: only that re-read shows it)."""
    settings = workflow_settings(lifecycle_database, max_replay=MAX_REPLAY)
    with RunningServer(settings) as server:
        workflow = Workflow(server, lifecycle_tokens)
        petition, secret = workflow.answered()
        code = petition["trackingCode"]
        page = f"petition-{backend}"
        browser.command("open", page=page, url=f"{server.url}/p/{code}?lang=en")
        _connected(browser, page)
        feed = f"feed-restart-{backend}"
        browser.command("open", page=feed, url=f"{server.url}/?lang=en")
        server.wait_for_subscriptions(2)
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
        for closed in (page, feed):
            browser.wait_for(lambda p=closed: browser.where(kind="ws-close", page=p), "the close")
        with RunningServer(settings) as side:
            officer = Workflow(side, lifecycle_tokens)
            newcomer = officer.submit()["petition"]["trackingCode"]
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
            missed = f'#feed li a:text-is("{newcomer}")'
            browser.command("waitFor", page=feed, selector=missed, timeoutMs=20_000)

            Workflow(restarted, lifecycle_tokens).act(
                "answer",
                lifecycle_tokens.btc,
                petition,
                body=SECOND_ANSWER,
            )
            browser.command("waitFor", page=page, selector="#answer-2", timeoutMs=20_000)
    assert not browser.where(kind="pageerror", page=page)
