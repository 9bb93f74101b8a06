"""The submit form's bot check (#18, point 4) with PAKN_SUBMIT_POW=1: the form carries a
challenge of the API's own (Query.submitChallenge) for each visit; without JavaScript it
says the check needs it and a post without a solution comes back with the API's code;
Chromium runs static/submit.js, which solves it with WebCrypto before the form is sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.bot_check import solve
from tests.support.browser_driver import browser_or_skip, chromium_driver, fill_in_a_petition
from tests.support.server import RunningServer
from tests.support.site_forms import petition_form, visitor
from tests.support.workflow import workflow_settings

FORM = "submit-form"


@pytest.fixture
def guarded(empty_database: str) -> Iterator[RunningServer]:
    settings = workflow_settings(empty_database, submit_pow=True, pow_max_number=3000)
    with RunningServer(settings) as server:
        yield server


def _title() -> str:
    return f"Thủ tục cấp phép xây dựng bị kéo dài {uuid.uuid4().hex[:8]}"


def test_without_javascript_the_form_says_why_it_cannot_be_sent(
    guarded: RunningServer,
) -> None:
    with visitor(guarded.url) as who:
        page = who.get("/submit?lang=en")
        assert "needs JavaScript, for its bot check" in page.response.text
        refused = who.post(
            "/submit?lang=en", {**page.hidden(FORM), **petition_form(title=_title())}
        )
        assert refused.status == 422 and refused.summary_codes() == ["CHALLENGE_REQUIRED"]
        again = refused.field(FORM, "challengeSolution").attrs["data-challenge"]
        solved = who.post(
            "/submit?lang=en",
            {
                **refused.hidden(FORM),
                **petition_form(title=_title()),
                "challengeSolution": solve(again),
            },
        )
        assert solved.status == 200, solved.response.text
        assert solved.text_of("tracking-code").startswith("PAKN-")
        replayed = who.post(
            "/submit?lang=en",
            {
                **who.get("/submit").hidden(FORM),
                **petition_form(title=_title()),
                "challengeSolution": solve(again),
            },
        )
        assert replayed.summary_codes() == ["CHALLENGE_USED"]


def test_the_script_solves_the_check_before_the_form_is_sent(guarded: RunningServer) -> None:
    node, chromium = browser_or_skip()
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="s", url=f"{guarded.url}/submit?lang=en")
        fill_in_a_petition(browser, "s", _title())
        browser.command("submit", page="s", selector="#submit-form button[type=submit]")
        code = browser.command("text", page="s", selector="#tracking-code").strip()
        assert code.startswith("PAKN-")
        posted = [
            m.get("postData") or "" for m in browser.where(kind="request", page="s", method="POST")
        ]
        solved = 'name="challengeSolution"\r\n\r\ney'
        assert any(solved in body for body in posted), posted
        assert not browser.where(kind="pageerror")
