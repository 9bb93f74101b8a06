"""The petition page `/p/<trackingCode>` over HTTP, on demo data, on both databases (#17):
what it shows of a public answered petition (its facts, history, answers and what the
browser needs to check each seal), what it keeps back of a private one, 404s for unknown
or malformed codes, English on request, the security headers, no inline script, and its
weight with its assets."""

from __future__ import annotations

import asyncio
import html
import json
import re
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from app.web.site.labels import LABELS
from app.web.site.language import Formats, translations
from db.engine import open_engine
from db.models import Answer, Petition
from tests.support.html_text import Page, assets_of, compressed_weight
from tests.support.seal_check import check_answer
from tests.support.server import RunningServer

ANSWERED = """{
  petitions(first: 100, filter: {statuses: [ANSWERED, CLOSED]}) {
    nodes { trackingCode isPrivate }
  }
}"""
OPEN = """query($overdue: Boolean!) {
  petitions(first: 1, filter: {statuses: [ASSIGNED, IN_PROGRESS], overdue: $overdue}) {
    nodes { trackingCode deadlineAt workingDaysElapsed workingDaysLeft isOverdue }
  }
}"""
PETITION = """query($code: String!) {
  petition(trackingCode: $code) {
    trackingCode title body status isPrivate
    agency { code }
    latestEvent { cursor }
    events(first: 100) { totalCount nodes { action logIndex note } }
    answers {
      body bodySha256 sealVersion signature keyId answeredAt
      agency { code publicKeys { keyId publicKey } }
    }
    similar(first: 5) { trackingCode }
  }
}"""


class _Elements(HTMLParser):
    """The attributes of every element whose class list holds `name`."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.name in (values.get("class") or "").split():
            self.found.append(values)


def _elements(page: str, name: str) -> list[dict[str, str | None]]:
    reader = _Elements(name)
    reader.feed(page)
    return reader.found


def _text_of(page: str, element_id: str) -> str:
    """The text content of the `<div>` with `element_id` (which holds no element)."""
    match = re.search(rf'<div class="body" id="{element_id}">(.*?)</div>', page, re.S)
    assert match, element_id
    return html.unescape(match.group(1))


def _answered(server: RunningServer, private: bool) -> dict[str, Any]:
    nodes = server.gql(ANSWERED)["petitions"]["nodes"]
    code = next(n["trackingCode"] for n in nodes if n["isPrivate"] is private)
    return server.gql(PETITION, {"code": code})["petition"]  # type: ignore[no-any-return]


def _seal_as_api_gives_it(seal: dict[str, str | None], body: str | None) -> dict[str, Any]:
    """An `Answer` rebuilt from the page's data attributes alone, as seal.js reads them."""
    return {
        "body": body,
        "bodySha256": seal["data-body-sha256"],
        "sealVersion": int(seal["data-seal-version"] or 0),
        "signature": seal["data-signature"],
        "keyId": seal["data-key-id"],
        "answeredAt": seal["data-answered-at"],
        "agency": {"code": seal["data-agency"], "publicKeys": json.loads(seal["data-keys"] or "")},
    }


async def _private_texts(url: str, code: str) -> list[str]:
    async with open_engine(url) as engine, engine.connect() as connection:
        petition = (
            await connection.execute(select(Petition).where(Petition.tracking_code == code))
        ).one()
        answers = await connection.execute(
            select(Answer.body).where(Answer.petition_id == petition.id)
        )
        return [petition.title, petition.body, *answers.scalars()]


def test_a_public_answered_petition_shows_its_text_history_answers_and_seals(
    demo_server: RunningServer,
) -> None:
    petition = _answered(demo_server, private=False)
    code = petition["trackingCode"]
    response = demo_server.client.get(f"/p/{code}")
    assert response.status_code == 200
    page = Page(response.text)
    vi = translations("vi").gettext
    assert page.lang == "vi"
    assert html.escape(petition["title"]) in page.html
    status = re.search(r'<span class="status" id="status">([^<]*)</span>', page.html)
    assert status and status.group(1) == vi(LABELS[petition["status"]])
    assert f'href="/agencies/{petition["agency"]["code"]}"' in page.html
    events = petition["events"]["nodes"]
    assert page.count(r"<li><strong>") == len(events)
    assert all(vi(LABELS[e["action"]]) in page.text for e in events)
    assert f'data-live-petition="{code}"' in page.html
    assert f'data-live-cursor="{petition["latestEvent"]["cursor"]}"' in page.html
    assert all(f'href="/p/{s["trackingCode"]}"' in page.html for s in petition["similar"])

    seals = _elements(page.html, "seal")
    logs = _elements(page.html, "log-inclusion")
    answer_events = [e for e in events if e["action"] == "ANSWER"]
    assert len(seals) == len(logs) == len(petition["answers"]) >= 1
    for n, (answer, seal, log) in enumerate(
        zip(petition["answers"], seals, logs, strict=True), start=1
    ):
        body = _text_of(page.html, f"answer-{n}-text")
        assert body == answer["body"], "the element holds exactly the sealed text"
        assert seal["data-body"] == f"answer-{n}-text" and seal["data-seal-state"] == "unchecked"
        assert check_answer(_seal_as_api_gives_it(seal, body), code) == "sealed"
        assert log["data-log-index"] == str(answer_events[n - 1]["logIndex"])
        assert log["data-state"] == "unchecked" and log["data-seal"] == seal["id"]
    assert "pakn verify --petition " + code in page.text
    sources = {script.get("src") for script in page.scripts}
    assert {"/static/site/live.js", "/static/site/seal.js"} <= sources
    data_blocks = {s.get("id") for s in page.scripts if s.get("type") == "application/json"}
    assert {"labels", "check-texts"} <= data_blocks


def test_a_private_petition_shows_its_facts_and_seals_but_no_text(
    demo_server: RunningServer, demo_database: str
) -> None:
    petition = _answered(demo_server, private=True)
    code = petition["trackingCode"]
    response = demo_server.client.get(f"/p/{code}?lang=en")
    assert response.status_code == 200
    page = Page(response.text)
    for text in asyncio.run(_private_texts(demo_database, code)):
        assert html.escape(text) not in page.html and text not in page.text
    assert f"<h1>Petition {code}</h1>" in page.html
    assert "The petitioner kept the text private" in page.text
    assert "the answer's text is withheld, its seal stays public" in page.text
    seals = _elements(page.html, "seal")
    assert len(seals) == len(petition["answers"]) >= 1
    for seal in seals:
        assert "data-body" not in seal
        assert check_answer(_seal_as_api_gives_it(seal, None), code) == "sealed, text withheld"
    assert len(_elements(page.html, "log-inclusion")) == len(seals)
    assert petition["similar"] == [] and "Similar petitions" not in page.text


def test_an_open_petitions_deadline_working_days_and_overdue_are_the_apis(
    demo_server: RunningServer,
) -> None:
    en = Formats("en")
    for overdue in (True, False):
        petition = demo_server.gql(OPEN, {"overdue": overdue})["petitions"]["nodes"][0]
        assert petition["isOverdue"] is overdue
        page = Page(demo_server.client.get(f"/p/{petition['trackingCode']}?lang=en").text)
        deadline = re.sub(r"\s+", " ", en.datetime(petition["deadlineAt"]))
        assert f"is due by {deadline}." in page.text
        days = petition["workingDaysElapsed"]
        assert f"{en.number(days)} working day{'' if days == 1 else 's'} ha" in page.text
        assert ("Overdue: the deadline passed" in page.text) is overdue
        left = petition["workingDaysLeft"]
        shown = f"{en.number(left)} working day{'' if left == 1 else 's'} left."
        assert (shown in page.text) is not overdue, (shown, overdue)


def test_unknown_and_malformed_codes_are_404_with_the_error_page(
    demo_server: RunningServer,
) -> None:
    for path in (
        "/p/PAKN-2026-999999",
        "/p/PAKN-1999-000001?lang=en",
        "/p/" + "A" * 41,
        "/p/" + "PAKN-2026-" + "9" * 5000,
        "/p/%3Cscript%3E",
        "/p/PAKN%202026",
        "/p/%00",
        "/p/%F0%9F%98%80",
        "/p/PAKN-2026-000001%27--",
    ):
        response = demo_server.client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert "<code>UNKNOWN_PETITION</code>" in response.text, path
        assert response.headers["cache-control"] == "private, no-store"
    english = Page(demo_server.client.get("/p/PAKN-2026-999999?lang=en").text)
    assert "There is no petition with this tracking code." in english.text
    assert demo_server.client.get("/p/").status_code < 500


def test_a_code_in_another_letter_case_redirects_to_the_canonical_address(
    demo_server: RunningServer,
) -> None:
    code = _answered(demo_server, private=False)["trackingCode"]
    response = demo_server.client.get(f"/p/{code.lower()}?lang=en")
    assert response.status_code == 301
    assert response.headers["location"] == f"/p/{code}?lang=en"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_the_page_in_english_with_the_security_headers_and_no_inline_script(
    demo_server: RunningServer,
) -> None:
    petition = _answered(demo_server, private=False)
    response = demo_server.client.get(f"/p/{petition['trackingCode']}?lang=en")
    page = Page(response.text)
    assert page.lang == "en" and response.headers["content-language"] == "en"
    assert "Status:" in page.text and "History" in page.text and "Lịch sử" not in page.text
    assert "Seal: not yet checked" in page.text
    internal = [
        link
        for link in page.links
        if link.startswith("/") and not link.startswith(("/graphql", "/log/", "/export"))
    ]
    assert internal and all("lang=" in link for link in internal), internal
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert page.inline_scripts() == [] and page.handlers == [] and page.inline_styles == []
    texts = re.search(
        r'<script type="application/json" id="check-texts">(.*?)</script>', page.html, re.S
    )
    assert texts and json.loads(texts.group(1))["seal"]["verified"].startswith("verified")
    assert response.headers["cache-control"] == "public, max-age=10"


def test_the_page_weighs_under_100_kb_compressed_with_its_assets(
    demo_server: RunningServer,
) -> None:
    for private in (False, True):
        path = f"/p/{_answered(demo_server, private)['trackingCode']}"
        page = demo_server.client.get(path).text
        assert {"/static/site/seal.js", "/static/site/site.css"} <= assets_of(page)
        total = compressed_weight(demo_server.client, path)
        assert total < 100_000, (path, total)
