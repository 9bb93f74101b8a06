"""`/unsubscribe/<token>` (#15, point 4) on a real server, on both databases: the GET page
changes nothing, its form's POST and an RFC 8058 one-click POST withdraw the consent and
drop the queued e-mails (twice is harmless), and forged, altered or garbage tokens are a
coded 404 page, never a 500; the route is rate-limited like the other public ones."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.domain import email_notice
from db.engine import open_engine, session_factory
from db.models import OutboxMessage, Petition, PetitionerContact
from tests.support.sample import SUBMISSION
from tests.support.server import RunningServer
from tests.support.workflow import (
    TEST_KEY,
    Tokens,
    Workflow,
    make_tokens,
    serving_workflow,
    workflow_settings,
)


async def _state(url: str, tracking_code: str) -> tuple[int, bool | None, int]:
    """The petition's id, its contact's consent (None: no contact) and its pending e-mails."""
    async with open_engine(url) as engine, session_factory(engine)() as session:
        petition_id = await session.scalar(
            select(Petition.id).where(Petition.tracking_code == tracking_code)
        )
        assert petition_id is not None
        consent = await session.scalar(
            select(PetitionerContact.notify_by_email).where(
                PetitionerContact.petition_id == petition_id
            )
        )
        pending = await session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.petition_id == petition_id,
                OutboxMessage.channel == "email",
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
            )
        )
        return petition_id, consent, len(list(pending))


def state(url: str, tracking_code: str) -> tuple[int, bool | None, int]:
    return asyncio.run(_state(url, tracking_code))


class Site:
    def __init__(self, url: str, workflow: Workflow) -> None:
        self.url = url
        self.workflow = workflow
        self.client = workflow.server.client

    def consenting(self) -> tuple[dict[str, Any], str]:
        """A consenting petitioner's petition, assigned (one e-mail queued), and its token."""
        person = {**SUBMISSION["petitioner"], "notifyByEmail": True}
        submitted = self.workflow.submit(petitioner=person)
        self.workflow.act(
            "assign",
            self.workflow.tokens.coordinator,
            submitted["petition"],
            agencyCode="BTC",
            fieldCode="DAT_DAI",
        )
        code = submitted["trackingCode"]
        petition_id, consent, pending = state(self.url, code)
        assert consent is True and pending == 1
        return submitted, email_notice.unsubscribe_token(TEST_KEY, petition_id)


@pytest.fixture
def site(empty_database: str) -> Iterator[Site]:
    tokens: Tokens = asyncio.run(make_tokens(empty_database))
    with serving_workflow(empty_database, tokens, smtp_url="smtp://127.0.0.1:9") as workflow:
        yield Site(empty_database, workflow)


def test_the_page_changes_nothing_and_its_button_unsubscribes(site: Site) -> None:
    submitted, token = site.consenting()
    code = submitted["trackingCode"]
    page = site.client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert code in page.text and '<form method="post">' in page.text
    assert "Ngừng nhận thư" in page.text and "Unsubscribe" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in page.headers
    assert SUBMISSION["petitioner"]["email"] not in page.text
    assert site.client.head(f"/unsubscribe/{token}").status_code in (200, 405)
    assert state(site.url, code)[1:] == (True, 1)

    done = site.client.post(
        f"/unsubscribe/{token}",
        data={"List-Unsubscribe": "One-Click"},
    )
    assert done.status_code == 200 and "You will receive no more e-mails" in done.text
    assert state(site.url, code)[1:] == (False, 0)
    again = site.client.post(f"/unsubscribe/{token}")
    assert again.status_code == 200 and state(site.url, code)[1:] == (False, 0)


def test_a_one_click_post_unsubscribes_and_no_more_is_queued(site: Site) -> None:
    submitted, token = site.consenting()
    code = submitted["trackingCode"]
    done = site.client.post(
        f"/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200
    assert state(site.url, code)[1:] == (False, 0)
    petition = site.workflow.public_view(code)
    petition = site.workflow.act("acknowledge", site.workflow.tokens.btc, petition)
    site.workflow.act("progress", site.workflow.tokens.btc, petition, note="Đang xử lý.")
    assert state(site.url, code)[1:] == (False, 0)


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "A" * email_notice.TOKEN_LENGTH,
        "A" * (email_notice.TOKEN_LENGTH + 1),
        "%00" * 20,
        "..%2F..%2Fetc%2Fpasswd",
        "é" * email_notice.TOKEN_LENGTH,
        "-" * 5000,
    ],
)
def test_garbage_tokens_are_a_coded_404(site: Site, token: str) -> None:
    for method in ("GET", "POST"):
        response = site.client.request(method, f"/unsubscribe/{token}")
        assert response.status_code in (400, 404), response.text
        if response.headers.get("content-type", "").startswith("text/html"):
            assert "INVALID_TOKEN" in response.text


def test_forged_and_altered_tokens_are_refused(site: Site) -> None:
    submitted, token = site.consenting()
    petition_id = state(site.url, submitted["trackingCode"])[0]
    forged = email_notice.unsubscribe_token("another-key-of-thirty-two-bytes-012345", petition_id)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    other = email_notice.unsubscribe_token(TEST_KEY, petition_id + 1000)
    for bad in (forged, flipped):
        response = site.client.post(f"/unsubscribe/{bad}")
        assert response.status_code == 404 and "INVALID_TOKEN" in response.text
    unknown = site.client.get(f"/unsubscribe/{other}")
    assert unknown.status_code == 404 and "NOT_FOUND" in unknown.text
    assert state(site.url, submitted["trackingCode"])[1:] == (True, 1)
    assert site.client.put(f"/unsubscribe/{token}").status_code == 405


def test_an_erased_contact_unsubscribes_quietly(site: Site) -> None:
    submitted, token = site.consenting()
    erased = site.workflow.server.gql(
        "mutation($i: ErasePetitionerDataInput!) { erasePetitionerData(input: $i) { "
        "userErrors { code } } }",
        {"i": {"trackingCode": submitted["trackingCode"], "secret": submitted["secret"]}},
    )["erasePetitionerData"]
    assert erased["userErrors"] == []
    assert state(site.url, submitted["trackingCode"])[1:] == (None, 0)
    assert site.client.post(f"/unsubscribe/{token}").status_code == 200


def test_the_route_is_rate_limited(empty_database: str) -> None:
    settings = workflow_settings(empty_database, read_rate=3)
    with RunningServer(settings) as server:
        statuses = [
            httpx.get(f"{server.url}/unsubscribe/garbage", timeout=10).status_code
            for _ in range(12)
        ]
    assert statuses[0] == 404 and 429 in statuses
