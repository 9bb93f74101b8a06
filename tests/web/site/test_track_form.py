"""`/track` (#17): the petitioner's own view by tracking code and secret (a POST, the
secret in the body only), and, once an officer answered, the rating and the follow-up."""

from __future__ import annotations

import httpx
import pytest

from tests.support import sample_files
from tests.support.site_forms import Page, Visitor, visitor
from tests.support.uploads import post_files
from tests.support.workflow import SUBMIT, Workflow, submission

FORM = "track-form"


def _look(who: Visitor, code: str, secret: str, path: str = "/track") -> Page:
    return who.fill(path, FORM, {"trackingCode": code, "secret": secret})


def _secret_kept_out_of_addresses(page: Page, secret: str) -> None:
    assert "location" not in page.response.headers
    assert not [url for url in page.urls() if secret in url]
    assert page.response.headers["cache-control"] == "private, no-store"


def test_the_form_sets_its_token_and_asks_for_the_secret_as_a_password(
    workflow: Workflow,
) -> None:
    with visitor(workflow.server.url) as who:
        page = who.get("/track?code=PAKN-2026-000001")
        assert page.status == 200
        assert page.response.headers["cache-control"] == "private, no-store"
        cookie = page.response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
        assert page.hidden(FORM)["csrf"] == who.client.cookies["pakn_csrf"]
        secret = page.field(FORM, "secret").attrs
        assert secret["type"] == "password" and secret["autocomplete"] == "off"
        assert page.field(FORM, "trackingCode").attrs["value"] == "PAKN-2026-000001"
        assert who.get("/track?code=" + "x" * 500).status == 400


def test_a_post_without_the_token_with_another_or_from_another_origin_is_refused(
    workflow: Workflow,
) -> None:
    submitted = workflow.submit()
    code, secret = submitted["trackingCode"], submitted["secret"]
    with visitor(workflow.server.url) as who:
        token = who.get("/track").hidden(FORM)["csrf"]
        fields = {"trackingCode": code, "secret": secret}
        refusals = [
            who.post("/track", fields),
            who.post("/track", {**fields, "csrf": "y" * 32}),
            who.post(
                "/track", {**fields, "csrf": token}, headers={"origin": "http://evil.example"}
            ),
        ]
        for page in refusals:
            assert page.status == 403 and "CSRF_FAILED" in page.response.text
            assert secret not in page.response.text


def test_a_wrong_secret_says_so_beside_the_secret(workflow: Workflow) -> None:
    code = workflow.submit()["trackingCode"]
    with visitor(workflow.server.url) as who:
        page = _look(who, code, "not-the-secret", "/track?lang=en")
        assert page.status == 422
        assert page.error_codes("secret") == ["INVALID_SECRET"]
        assert "do not match" in page.text_of("secret-error")
        assert page.field(FORM, "trackingCode").attrs["value"] == code
        assert page.field(FORM, "secret").attrs.get("value", "") == ""
        empty = _look(who, "", "")
        assert empty.error_codes("trackingCode") == ["REQUIRED"]
        assert empty.error_codes("secret") == ["REQUIRED"]
        assert _look(who, code, "s" * 300).error_codes("secret") == ["TOO_LONG"]


def test_the_petitioner_sees_their_own_petition_and_contact_data(workflow: Workflow) -> None:
    submitted = workflow.submit(isPrivate=True)
    code, secret = submitted["trackingCode"], submitted["secret"]
    with visitor(workflow.server.url) as who:
        page = _look(who, code.lower(), f" {secret} ", "/track?lang=en")
        assert page.status == 200, page.response.text
        _secret_kept_out_of_addresses(page, secret)
        assert page.text_of("status") == "Submitted"
        text = page.response.text
        assert submitted["petition"]["title"] in text and submitted["petition"]["body"] in text
        assert "hoa.nguyen@example.vn" in text and "0912345678" in text
        assert page.by_id("rate-form") is None and page.by_id("follow-up-form") is None


def test_after_the_answer_the_petitioner_rates_it_through_the_page(workflow: Workflow) -> None:
    petition, secret = workflow.answered()
    code = petition["trackingCode"]
    with visitor(workflow.server.url) as who:
        page = _look(who, code, secret, "/track?lang=en")
        assert page.text_of("status") == "Answered"
        hidden = page.hidden("rate-form")
        assert hidden["action"] == "rate" and hidden["trackingCode"] == code
        assert hidden["secret"] == secret and hidden["expectedVersion"] == str(petition["version"])
        assert page.by_id(f"score-{5}") is not None and page.by_id("comment") is not None
        assert page.field("rate-form", "comment").attrs["maxlength"] == "5000"
        bad = who.post("/track?lang=en", {**hidden, "score": "0"})
        assert bad.status == 422 and bad.error_codes("score") == ["INVALID_SCORE"]
        assert who.post("/track", {**hidden, "score": "many"}).error_codes("score") == [
            "INVALID_SCORE"
        ]
        rated = who.post("/track?lang=en", {**hidden, "score": "4", "comment": "Rõ ràng."})
        assert rated.status == 200, rated.response.text
        _secret_kept_out_of_addresses(rated, secret)
        notice = next(e for e in rated.elements if "notice" in e.attrs.get("class", ""))
        assert "success" in notice.attrs["class"].split()
        assert rated.text_of("status") == "Closed" and rated.by_id("rate-form") is None
        late = who.post("/track", {**hidden, "score": "5"})
        assert late.status == 422 and late.summary_codes()
        unplaced = who.post("/track", {**hidden, "score": "many"})
        assert unplaced.status == 422 and unplaced.summary_codes() == ["INVALID_SCORE"]
        assert unplaced.by_id("rate-form") is None
        main = unplaced.response.text.split("<main", 1)[1]
        assert 'href="#' not in main, "the summary links to no input the page lacks"
    public = workflow.public_view(code)
    assert public["status"] == "CLOSED" and public["rating"]["score"] == 4


def test_after_the_answer_the_petitioner_follows_it_up(workflow: Workflow) -> None:
    petition, secret = workflow.answered()
    code = petition["trackingCode"]
    with visitor(workflow.server.url) as who:
        page = _look(who, code, secret)
        hidden = page.hidden("follow-up-form")
        assert hidden["action"] == "follow_up"
        assert page.field("follow-up-form", "body").attrs["maxlength"] == "5000"
        empty = who.post("/track", {**hidden, "body": "  "})
        assert empty.status == 422 and empty.error_codes("body") == ["REQUIRED"]
        long = who.post("/track", {**hidden, "body": "x" * 5001})
        assert long.error_codes("body") == ["TOO_LONG"]
        assert long.by_id("body") is not None and long.by_id("body").text == "x" * 5001  # type: ignore[union-attr]
        stale = who.post("/track?lang=en", {**hidden, "body": "Chưa xong.", "expectedVersion": "1"})
        assert stale.status == 422 and stale.summary_codes() == ["STALE_VERSION"]
        done = who.post("/track?lang=en", {**hidden, "body": "Vấn đề vẫn chưa được giải quyết."})
        assert done.status == 200, done.response.text
        assert done.text_of("status") == "In progress"
        assert any("success" in e.attrs.get("class", "") for e in done.elements)
    assert workflow.public_view(code)["followUpCount"] == 1


def test_a_tampered_secret_in_the_rate_form_goes_back_to_the_form(workflow: Workflow) -> None:
    petition, secret = workflow.answered()
    with visitor(workflow.server.url) as who:
        hidden = _look(who, petition["trackingCode"], secret).hidden("rate-form")
        page = who.post("/track", {**hidden, "secret": "guess", "score": "1"})
        assert page.status == 422 and page.error_codes("secret") == ["INVALID_SECRET"]
        assert page.by_id(FORM) is not None
    assert workflow.public_view(petition["trackingCode"])["status"] == "ANSWERED"


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"action": "delete"}, 400, "INVALID_FORM"),
        ({"action": "rate", "score": "3", "expectedVersion": "-1"}, 400, "INVALID_FORM"),
        ({"action": "rate", "score": "3", "expectedVersion": "9" * 40}, 400, "INVALID_FORM"),
    ],
)
def test_malformed_actions_are_coded_errors(
    workflow: Workflow, fields: dict[str, str], status: int, code: str
) -> None:
    with visitor(workflow.server.url) as who:
        token = who.get("/track").hidden(FORM)["csrf"]
        page = who.post(
            "/track", {"csrf": token, "trackingCode": "PAKN-1", "secret": "s", **fields}
        )
        assert page.status == status and f"<code>{code}</code>" in page.response.text


@pytest.mark.parametrize(
    "body",
    [b"", b"secret=%c3%28", b"action=view&action=rate", b"x=" + b"y" * 140_000, b"\x00\x01"],
)
def test_no_post_gets_a_500(workflow: Workflow, body: bytes) -> None:
    response = httpx.post(
        f"{workflow.server.url}/track",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= response.status_code < 500
    assert "<code>" in response.text


@pytest.mark.parametrize(
    "fields",
    [
        {"trackingCode": "PAKN-2026-\x00001", "secret": "s"},
        {"trackingCode": "PAKN-2026-000001", "secret": "\x00\ud7ff\ufffe"},
        {"trackingCode": "\u202e" * 40, "secret": "é" * 200},
    ],
)
def test_hostile_credentials_are_a_refusal_not_a_500(
    workflow: Workflow, fields: dict[str, str]
) -> None:
    with visitor(workflow.server.url) as who:
        page = who.fill("/track", FORM, fields)
        assert page.status == 422, page.response.text
        assert page.summary_codes()


@pytest.mark.parametrize("text", ["\x00" * 10, "a\u0007b", "\ud7ff" * 100])
def test_hostile_texts_in_the_answered_forms_are_errors_beside_them(
    workflow: Workflow, text: str
) -> None:
    petition, secret = workflow.answered()
    with visitor(workflow.server.url) as who:
        page = _look(who, petition["trackingCode"], secret)
        rated = who.post("/track", {**page.hidden("rate-form"), "score": "3", "comment": text})
        followed = who.post("/track", {**page.hidden("follow-up-form"), "body": text})
        for answer in (rated, followed):
            assert answer.status in {200, 422}, answer.response.text


def test_the_petitioner_sees_and_downloads_their_own_attachments(workflow: Workflow) -> None:
    """Private files: listed on the petitioner's view with a download link (a short grant,
    on a page that is never cached), never on the public page."""
    posted = post_files(
        workflow.server, SUBMIT, submission(), [("giấy tờ.pdf", sample_files.pdf(), "x/y")]
    )
    filed = posted.json()["data"]["submitPetition"]
    with visitor(workflow.server.url) as who:
        page = _look(who, filed["trackingCode"], filed["secret"], "/track?lang=en")
        assert page.text_of("files-heading") == "Your attachments"
        link = next(url for url in page.urls() if url.startswith("/files/"))
        assert "grant=" in link and page.response.headers["cache-control"] == "private, no-store"
        assert who.client.get(link).content == sample_files.pdf()
        public = who.get(f"/p/{filed['trackingCode']}?lang=en")
        assert not [url for url in public.urls() if url.startswith("/files/")]
