"""The website's scenarios in Chromium (#17), on a server that officers work through the
API at the same time:

1. a journalist searches "thu tuc dat dai" on /petitions, narrows it to a province, opens
   a petition and sees its status;
2. a citizen submits through /submit, keeps the petition's page open while an officer
   answers through the API, sees the answer arrive without a reload, then rates it
   through /track;
3. the same site in English: by the browser's preference, and kept by `?lang=en` from page
   to page.

Screenshots of each step at phone width go to PAKN_TEST_ARTIFACTS (test-artifacts/)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.support.browser_driver import (
    Browser,
    browser_or_skip,
    chromium_driver,
    fill_in_a_petition,
)
from tests.support.browser_page import ROOT
from tests.support.workflow import Workflow

ARTIFACTS = Path(os.environ.get("PAKN_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "scenarios"
PHONE = {"width": 390, "height": 844}
FOUND = "[...document.querySelectorAll('ul.results a[href^=\"/p/\"]')].map(a => a.textContent)"
CODE_OF = "petition(trackingCode: $code) { id version status }"


@pytest.fixture
def browser_tools() -> tuple[str, str]:
    return browser_or_skip()


def _shot(browser: Browser, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.command("screenshot", page="a", path=str(ARTIFACTS / f"{name}-{backend}.png"))


def _petition(workflow: Workflow, code: str) -> dict[str, str | int]:
    query = "query($code: String!) { " + CODE_OF + " }"
    return workflow.server.gql(query, {"code": code})["petition"]  # type: ignore[no-any-return]


def test_a_journalist_searches_filters_by_province_and_opens_a_petition(
    browser_tools: tuple[str, str], workflow: Workflow, backend: str
) -> None:
    marker = uuid.uuid4().hex[:8]
    here = workflow.submit(
        title=f"Thủ tục đất đai ở Hà Nội chậm quá {marker}", provinceCode="01", isPrivate=False
    )
    elsewhere = workflow.submit(
        title=f"Thủ tục đất đai ở Đà Nẵng chậm quá {marker}", provinceCode="48", isPrivate=False
    )
    node, chromium = browser_tools
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="a", url=f"{workflow.server.url}/petitions?lang=vi")
        browser.command("viewport", page="a", **PHONE)
        browser.command("fill", page="a", selector="#search", value=f"thu tuc dat dai {marker}")
        browser.command("select", page="a", selector="#provinceCodes", value="01")
        _shot(browser, "journalist-1-search", backend)
        browser.command("submit", page="a", selector="form.filters button[type=submit]")
        titles = browser.command("eval", page="a", expression=FOUND)
        assert titles == [here["petition"]["title"]], titles
        assert elsewhere["petition"]["title"] not in titles
        _shot(browser, "journalist-2-results", backend)
        browser.command("submit", page="a", selector="ul.results a[href^='/p/']")
        status = browser.command("text", page="a", selector="#status")
        assert status.strip() == "Đã gửi"
        _shot(browser, "journalist-3-petition", backend)


def test_a_citizen_submits_sees_the_answer_arrive_live_and_rates_it(
    browser_tools: tuple[str, str], workflow: Workflow, backend: str
) -> None:
    node, chromium = browser_tools
    title = f"Đề nghị rút ngắn thời gian cấp giấy phép xây dựng {uuid.uuid4().hex[:6]}"
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="a", url=f"{workflow.server.url}/submit?lang=vi")
        browser.command("viewport", page="a", **PHONE)
        fill_in_a_petition(browser, "a", title)
        _shot(browser, "citizen-1-form", backend)
        browser.command("submit", page="a", selector="#submit-form button[type=submit]")
        code = browser.command("text", page="a", selector="#tracking-code").strip()
        secret = browser.command("text", page="a", selector="#secret").strip()
        assert code.startswith("PAKN-") and len(secret) > 20
        _shot(browser, "citizen-2-submitted", backend)

        browser.command("goto", page="a", url=f"{workflow.server.url}/p/{code}?lang=vi")
        browser.command("waitFor", page="a", selector="[data-live-petition]", state="attached")
        browser.command("eval", page="a", expression="window.__marker = 1")
        browser.wait_for(
            lambda: any(
                json.loads(m["payload"]).get("type") == "connection_ack"
                for m in browser.where(kind="ws-received", page="a")
            ),
            "the page's live connection",
        )
        petition = _petition(workflow, code)
        petition = workflow.act(
            "assign", workflow.tokens.coordinator, petition, agencyCode="BTC", fieldCode="XAY_DUNG"
        )
        petition = workflow.step("acknowledge", petition, secret)
        workflow.step("answer", petition, secret)
        browser.command("waitFor", page="a", selector=".answer", timeoutMs=20_000)
        assert browser.command("eval", page="a", expression="window.__marker") == 1, "no reload"
        _shot(browser, "citizen-3-answer-arrived", backend)

        browser.command("goto", page="a", url=f"{workflow.server.url}/track?lang=vi")
        browser.command("fill", page="a", selector="#trackingCode", value=code)
        browser.command("fill", page="a", selector="#secret", value=secret)
        browser.command("submit", page="a", selector="#track-form button[type=submit]")
        browser.command("waitFor", page="a", selector="#rate-form")
        browser.command("check", page="a", selector="#rate-form input[name=score][value='5']")
        _shot(browser, "citizen-4-rate", backend)
        browser.command("submit", page="a", selector="#rate-form button[type=submit]")
        browser.command("waitFor", page="a", selector=".notice.success")
        _shot(browser, "citizen-5-rated", backend)
        urls = [m["url"] for m in browser.where(kind="request", page="a")]
        assert not any(secret in url for url in urls), "the secret is never in an address"
    assert _petition(workflow, code)["status"] == "CLOSED"


def test_the_site_in_english_by_preference_and_by_address(
    browser_tools: tuple[str, str], workflow: Workflow, backend: str
) -> None:
    node, chromium = browser_tools
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="a", url=f"{workflow.server.url}/")
        preferred = browser.command("eval", page="a", expression="navigator.language")
        shown = browser.command("eval", page="a", expression="document.documentElement.lang")
        assert shown == ("en" if preferred.lower().startswith("en") else "vi"), preferred
        browser.command("goto", page="a", url=f"{workflow.server.url}/?lang=en")
        browser.command("viewport", page="a", **PHONE)
        browser.command("submit", page="a", selector="nav a[href^='/agencies']")
        assert browser.command("eval", page="a", expression="location.search") == "?lang=en"
        assert browser.command("eval", page="a", expression="document.documentElement.lang") == "en"
        assert "Agencies compared" in browser.command("text", page="a", selector="h1")
        _shot(browser, "english-agencies", backend)
        browser.command("submit", page="a", selector="nav a[hreflang='vi']")
        assert browser.command("eval", page="a", expression="document.documentElement.lang") == "vi"
