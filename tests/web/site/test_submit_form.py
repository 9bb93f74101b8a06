"""`/submit` (#17): the petition form over `submitPetition`, its CSRF protection, its
errors beside their inputs with the API's codes, its idempotency, the tracking code and
the secret shown once (and never in an address), and no 500 whatever is posted."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import httpx
import pytest

from tests.support import sample_files
from tests.support.browser_driver import (
    Browser,
    browser_or_skip,
    chromium_driver,
    fill_in_a_petition,
)
from tests.support.server import RunningServer
from tests.support.site_forms import Page, petition_form, visitor
from tests.support.workflow import Workflow, workflow_settings

FORM = "submit-form"
URLENCODED = "application/x-www-form-urlencoded"
SECRET_QUERY = """query($c: String!, $s: String!) {
  petitionForPetitioner(trackingCode: $c, secret: $s) { title petitioner { fullName } } }"""


def _unique_title() -> str:
    return f"Thủ tục cấp phép xây dựng bị kéo dài {uuid.uuid4().hex[:8]}"


def _private(page: Page) -> None:
    assert page.response.headers["cache-control"] == "private, no-store"


def test_the_form_sets_its_token_cookie_and_the_same_token_in_a_hidden_field(
    workflow: Workflow,
) -> None:
    with visitor(workflow.server.url) as who:
        page = who.get("/submit")
        assert page.status == 200
        _private(page)
        cookie = page.response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
        hidden = page.hidden(FORM)
        assert hidden["csrf"] == who.client.cookies["pakn_csrf"]
        assert len(hidden["idempotencyKey"]) >= 20
        names = {e.attrs.get("name") for e in page.form(FORM)}
        assert {
            "channel",
            "kind",
            "subject",
            "title",
            "body",
            "fieldCode",
            "provinceCode",
            "isPrivate",
            "fullName",
            "email",
            "phone",
            "address",
            "organizationName",
            "taxCode",
            "notifyByEmail",
        } <= names
        limits = {"title": "200", "body": "10000", "fullName": "200", "email": "254"}
        for name, most in limits.items():
            assert page.field(FORM, name).attrs["maxlength"] == most
            assert f"{name}-hint" in page.field(FORM, name).attrs["aria-describedby"]
        assert page.by_id("business-fields") is not None and page.by_id("similar") is not None
        assert page.by_id("similar").attrs["aria-live"] == "polite"  # type: ignore[union-attr]
        assert who.get("/submit").hidden(FORM)["idempotencyKey"] != hidden["idempotencyKey"]


def test_each_visitor_gets_the_blank_form_with_a_token_and_a_key_of_their_own(
    workflow: Workflow,
) -> None:
    """The blank form is rendered once (`app.web.site.templating.Skeletons`) and filled in
    for each visit: the same page but for its CSRF token, idempotency key and bot-check
    challenge."""
    pages = []
    for _ in range(3):
        with httpx.Client(base_url=workflow.server.url) as client:
            pages.append(client.get("/submit").text)
    tokens = [re.findall(r'name="(?:csrf|idempotencyKey)" value="([^"]+)"', p) for p in pages]
    assert all(len(found) == 2 for found in tokens)
    assert len({value for found in tokens for value in found}) == 6
    challenges = [re.findall(r'data-challenge="([^"]+)"', p) for p in pages]
    assert all(len(found) == 1 for found in challenges)
    assert len({found[0] for found in challenges}) == 3
    blanked = [re.sub(r'(name="(?:csrf|idempotencyKey)" value=)"[^"]+"', r"\1", p) for p in pages]
    blanked = [re.sub(r'data-challenge="[^"]+"', "", p) for p in blanked]
    assert blanked[0] == blanked[1] == blanked[2]
    english = httpx.get(f"{workflow.server.url}/submit?lang=en").text
    assert '<html lang="en">' in english and "Full name" in english


def test_one_visitors_address_never_reaches_the_next_visitors_form(workflow: Workflow) -> None:
    """The language link keeps the query string: on the kept blank form it is filled in
    for each visit, like the tokens."""
    first = httpx.get(f"{workflow.server.url}/submit?ref=from-a-mail").text
    second = httpx.get(f"{workflow.server.url}/submit").text
    assert 'href="/submit?ref=from-a-mail&amp;lang=en"' in first
    assert "from-a-mail" not in second
    assert 'href="/submit?lang=en"' in second


def test_the_hints_give_the_apis_rules_in_english(workflow: Workflow) -> None:
    with visitor(workflow.server.url) as who:
        page = who.get("/submit?lang=en")
        assert page.status == 200 and 'lang="en"' in page.response.text
        assert page.text_of("title-hint") == "10 to 200 characters, on one line."
        assert page.text_of("body-hint").startswith("30 to 10,000 characters")
        assert "10 or 13 digits" in page.text_of("taxCode-hint")
        assert "+84" in page.text_of("phone-hint")
        assert page.by_id(FORM).attrs["action"] == "/submit?lang=en"  # type: ignore[union-attr]


def test_a_post_without_the_token_with_another_or_from_another_origin_is_refused(
    workflow: Workflow,
) -> None:
    title = _unique_title()
    with visitor(workflow.server.url) as who:
        hidden = who.get("/submit").hidden(FORM)
        fields = petition_form(title=title, idempotencyKey=hidden["idempotencyKey"])
        refusals = [
            who.post("/submit", fields),
            who.post("/submit", {**fields, "csrf": "x" * 32}),
            who.post(
                "/submit",
                {**fields, "csrf": hidden["csrf"]},
                headers={"origin": "https://evil.example"},
            ),
        ]
        for page in refusals:
            assert page.status == 403
            assert "CSRF_FAILED" in page.response.text
        with visitor(workflow.server.url) as stranger:
            assert stranger.post("/submit", {**fields, "csrf": hidden["csrf"]}).status == 403
    found = workflow.server.gql(
        "query($s: String!) { petitions(filter: {search: $s}) { totalCount } }", {"s": title}
    )
    assert found["petitions"]["totalCount"] == 0


def test_the_sites_own_origin_passes_by_an_ipv6_address_too(workflow: Workflow) -> None:
    """A browser writes an IPv6 host in brackets in Origin, as in Host."""
    port = workflow.server.port
    own = {"host": f"[::1]:{port}", "origin": f"http://[::1]:{port}"}
    with visitor(workflow.server.url) as who:
        hidden = who.get("/submit").hidden(FORM)
        fields = {**petition_form(title=_unique_title()), **hidden}
        assert who.post("/submit", fields, headers=own).status == 200
        other = {**own, "origin": f"http://[::2]:{port}"}
        assert who.post("/submit", fields, headers=other).status == 403


def test_a_valid_petition_is_filed_and_its_secret_shown_once_never_in_an_address(
    workflow: Workflow,
) -> None:
    title = _unique_title()
    with visitor(workflow.server.url) as who:
        page = who.fill("/submit", FORM, petition_form(title=title, isPrivate="true"))
        assert page.status == 200, page.response.text
        _private(page)
        code, secret = page.text_of("tracking-code"), page.text_of("secret")
        assert code.startswith("PAKN-") and len(secret) >= 40
        assert "location" not in page.response.headers
        assert not [url for url in page.urls() if secret in url]
        assert f"/p/{code}" in page.urls() and f"/track?code={code}" in page.urls()
    public = workflow.server.gql(
        "query($c: String!) { petition(trackingCode: $c) { status isPrivate title } }", {"c": code}
    )["petition"]
    assert public == {"status": "SUBMITTED", "isPrivate": True, "title": None}
    own = workflow.server.gql(SECRET_QUERY, {"c": code, "s": secret})["petitionForPetitioner"]
    assert own == {"title": title, "petitioner": {"fullName": "Nguyễn Thị Hoa"}}


def test_sending_the_same_form_again_gives_the_same_petition_and_secret(
    workflow: Workflow,
) -> None:
    with visitor(workflow.server.url) as who:
        form = who.get("/submit")
        fields = {**form.hidden(FORM), **petition_form(title=_unique_title())}
        first, again = who.post("/submit", fields), who.post("/submit", fields)
        assert first.status == again.status == 200
        assert first.text_of("tracking-code") == again.text_of("tracking-code")
        assert first.text_of("secret") == again.text_of("secret")
        other = who.fill("/submit", FORM, petition_form(title=fields["title"]))
        assert other.text_of("tracking-code") != first.text_of("tracking-code")
        edited = who.post("/submit", {**fields, "title": _unique_title()})
        assert edited.status == 422 and edited.summary_codes() == ["IDEMPOTENCY_KEY_REUSED"]
        assert edited.hidden(FORM)["idempotencyKey"] != fields["idempotencyKey"]


def test_the_apis_errors_show_beside_their_inputs_and_the_values_stay(
    workflow: Workflow,
) -> None:
    with visitor(workflow.server.url) as who:
        sent = petition_form(title="Ngắn", email="not-an-email", phone="12345")
        page = who.fill("/submit?lang=en", FORM, sent)
        assert page.status == 422
        _private(page)
        assert page.error_codes("title") == ["TOO_SHORT"]
        assert page.error_codes("email") == ["INVALID_EMAIL"]
        assert page.error_codes("phone") == ["INVALID_PHONE"]
        assert page.error_codes("body") == []
        title = page.field(FORM, "title")
        assert title.attrs["aria-invalid"] == "true" and title.attrs["value"] == "Ngắn"
        assert title.attrs["aria-describedby"].split() == ["title-hint", "title-error"]
        assert "This is too short." in page.text_of("title-error")
        summary = page.by_id("error-summary")
        assert summary is not None and "autofocus" in summary.attrs
        assert {"#title", "#email", "#phone"} <= set(page.urls())
        assert page.field(FORM, "email").attrs["value"] == "not-an-email"
        body = next(e for e in page.form(FORM) if e.attrs.get("name") == "body")
        assert body.text == sent["body"]


def test_a_business_needs_its_name_and_tax_code_and_choices_are_checked(
    workflow: Workflow,
) -> None:
    with visitor(workflow.server.url) as who:
        page = who.fill("/submit", FORM, petition_form(channel="BUSINESS", taxCode="12"))
        assert page.status == 422
        assert page.error_codes("organizationName") == ["REQUIRED"]
        assert page.error_codes("taxCode") == ["INVALID_TAX_CODE"]
        choices = who.fill("/submit", FORM, petition_form(channel="ROBOT", subject=""))
        assert choices.status == 422
        assert choices.error_codes("channel") == ["UNKNOWN_CODE"]
        assert choices.error_codes("subject") == ["REQUIRED"]
        assert "#channel-CITIZEN" in choices.urls()
        unknown = who.fill("/submit", FORM, petition_form(fieldCode="NOPE", provinceCode="99"))
        assert unknown.error_codes("fieldCode") == ["UNKNOWN_CODE"]
        assert unknown.error_codes("provinceCode") == ["UNKNOWN_CODE"]


def test_similar_petitions_are_suggested_when_the_form_comes_back(workflow: Workflow) -> None:
    title = _unique_title()
    with visitor(workflow.server.url) as who:
        filed = who.fill("/submit", FORM, petition_form(title=title))
        code = filed.text_of("tracking-code")
        again = who.fill("/submit", FORM, petition_form(title=title, body="ngắn"))
        assert again.status == 422
        assert f"/p/{code}" in again.urls()
        script = who.client.get("/static/site/submit.js")
        assert script.status_code == 200 and "similarPetitions" in script.text


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"", URLENCODED, 403, "CSRF_FAILED"),
        (b"title=%ff%fe", URLENCODED, 400, "INVALID_FORM"),
        (b"\xff\xfe=1", URLENCODED, 400, "INVALID_FORM"),
        (b"title=a&title=b", URLENCODED, 400, "INVALID_FORM"),
        (b"&".join(b"f%d=1" % i for i in range(60)), URLENCODED, 400, "INVALID_FORM"),
        (b"body=" + b"x" * 140_000, URLENCODED, 413, "FORM_TOO_LARGE"),
        (b'{"title": "x"}', "application/json", 415, "UNSUPPORTED_FORM"),
        (b"--x\r\n", "multipart/form-data; boundary=x", 403, "CSRF_FAILED"),
        (b"--x\r\nno headers\r\n", "multipart/form-data", 400, "INVALID_FORM"),
    ],
)
def test_no_post_gets_a_500(
    workflow: Workflow, body: bytes, content_type: str, status: int, code: str
) -> None:
    response = httpx.post(
        f"{workflow.server.url}/submit", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status
    assert f"<code>{code}</code>" in response.text
    assert response.headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "\x00" * 20},
        {"title": "t" * 20_000},
        {"body": "b" * 11_000},
        {"fullName": ""},
        {"kind": "<script>"},
        {"idempotencyKey": "é" * 300},
        {"isPrivate": "maybe", "notifyByEmail": "yes", "email": ""},
        {"provinceCode": "0" * 5_000},
    ],
)
def test_hostile_values_are_errors_beside_their_fields(
    workflow: Workflow, overrides: dict[str, str]
) -> None:
    with visitor(workflow.server.url) as who:
        page = who.fill("/submit", FORM, petition_form(**overrides))
        assert page.status in {200, 422}, page.response.text
        if page.status == 422:
            assert page.summary_codes()
        assert "<script>" not in page.response.text.split("<main", 1)[1]


def test_the_hourly_limit_is_a_message_on_the_form(empty_database: str) -> None:
    with RunningServer(workflow_settings(empty_database, submissions_per_hour=1)) as server:
        with visitor(server.url) as who:
            assert who.fill("/submit", FORM, petition_form()).status == 200
            page = who.fill("/submit?lang=en", FORM, petition_form(title=_unique_title()))
            assert page.status == 429
            assert page.summary_codes() == ["RATE_LIMITED"]
            assert "Too many requests" in page.text_of("error-summary")


def test_the_result_page_in_english(workflow: Workflow) -> None:
    with visitor(workflow.server.url) as who:
        page = who.fill("/submit?lang=en", FORM, petition_form(title=_unique_title()))
        assert page.status == 200
        assert page.response.headers["content-language"] == "en"
        assert "Write these down now" in page.response.text
        code = page.text_of("tracking-code")
        assert f"/p/{code}?lang=en" in page.urls()


@pytest.fixture
def browser_tools() -> tuple[str, str]:
    return browser_or_skip()


def _until(browser: Browser, expression: str, expected: Any, what: str) -> None:
    """Until `expression` in page "s" gives `expected`: each try waits in the page up to
    a second for it; a try that a navigation cuts short is tried again."""
    waiting = (
        "new Promise((resolve) => { const started = Date.now(); const check = () => {"
        f" const value = ({expression}); if (value === {json.dumps(expected)}"
        " || Date.now() - started > 1000) resolve(value); else setTimeout(check, 50); };"
        " check(); })"
    )
    seen = None
    for _ in range(30):
        try:
            seen = browser.command("eval", page="s", expression=waiting)
        except AssertionError:
            continue
        if seen == expected:
            return
    raise AssertionError(f"{what}: {seen!r}, not {expected!r}")


def test_the_script_suggests_similar_petitions_and_shows_the_business_fields(
    browser_tools: tuple[str, str], workflow: Workflow
) -> None:
    node, chromium = browser_tools
    word = f"zq{uuid.uuid4().hex[:10]}"
    code = workflow.submit(title=f"Kiến nghị về giấy phép {word} bị chậm")["trackingCode"]
    url = workflow.server.url
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="s", url=f"{url}/submit?lang=en")
        business = "document.getElementById('business-fields').hidden"
        assert browser.command("eval", page="s", expression=business) is True
        choose = "document.getElementById('channel-BUSINESS').click()"
        browser.command("eval", page="s", expression=choose)
        assert browser.command("eval", page="s", expression=business) is False
        typed = (
            "(() => { const t = document.getElementById('title');"
            f" t.value = 'Giấy phép {word}'; t.dispatchEvent(new Event('input')); }})()"
        )
        browser.command("eval", page="s", expression=typed)
        link = "document.querySelector('#similar a')?.getAttribute('href') ?? null"
        _until(browser, link, f"/p/{code}?lang=en", "the suggested petition")
        chosen = (
            "(() => { const f = document.getElementById('fieldCode');"
            " f.value = 'DAT_DAI'; f.dispatchEvent(new Event('change')); })()"
        )
        browser.command("eval", page="s", expression=chosen)
        browser.wait_for(
            lambda: any(
                '"fieldCode":"DAT_DAI"' in (m.get("postData") or "")
                for m in browser.where(kind="request", page="s", method="POST")
            ),
            "the suggestions asked for again within the field, as the server asks",
        )
        browser.command(
            "eval", page="s", expression='document.getElementById("submit-form").submit()'
        )
        focused = "document.getElementById('error-summary') && document.activeElement.id"
        _until(browser, focused, "error-summary", "the focus after errors")
        assert not browser.where(kind="pageerror")
        refused = [m for m in browser.where(kind="console") if "Content Security" in m["text"]]
        assert not refused, "the page runs within its Content-Security-Policy"


TRACKED_FILES = """query($c: String!, $s: String!) {
  petitionForPetitioner(trackingCode: $c, secret: $s) {
    attachments { filename mediaType isPublic } } }"""


def test_files_sent_with_the_form_are_attached_and_judged_as_the_api_judges_them(
    workflow: Workflow,
) -> None:
    with visitor(workflow.server.url) as who:
        page = who.get("/submit?lang=en")
        assert page.by_id(FORM).attrs["enctype"] == "multipart/form-data"  # type: ignore[union-attr]
        assert page.field(FORM, "attachments").attrs["type"] == "file"
        assert ".pdf" in page.field(FORM, "attachments").attrs["accept"]
        fields = {**page.hidden(FORM), **petition_form(title=_unique_title())}
        refused = who.post(
            "/submit?lang=en",
            fields,
            files=[("attachments", ("notes.pdf", b"only text, not a PDF", "application/pdf"))],
        )
        assert refused.status == 422
        assert refused.error_codes("attachments") == ["UNSUPPORTED_FILE_TYPE"]
        assert "choose them again" in refused.response.text
        sent = who.post(
            "/submit?lang=en",
            {**refused.hidden(FORM), **petition_form(title=_unique_title())},
            files=[
                ("attachments", ("ảnh.jpg", sample_files.photo_with_gps(), "image/jpeg")),
                ("attachments", ("", b"", "application/octet-stream")),
            ],
        )
        assert sent.status == 200, sent.response.text
        code, secret = sent.text_of("tracking-code"), sent.text_of("secret")
    shown = workflow.server.gql(TRACKED_FILES, {"c": code, "s": secret})
    assert shown["petitionForPetitioner"]["attachments"] == [
        {"filename": "ảnh.jpg", "mediaType": "image/jpeg", "isPublic": False}
    ], "the empty part of an unused file input is no file"


def test_a_person_chooses_a_file_in_chromium_and_it_is_attached(
    browser_tools: tuple[str, str], workflow: Workflow
) -> None:
    node, chromium = browser_tools
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="f", url=f"{workflow.server.url}/submit?lang=en")
        fill_in_a_petition(browser, "f", _unique_title())
        scan = {
            "name": "đơn kiến nghị.pdf",
            "mimeType": "application/pdf",
            "base64": base64.b64encode(sample_files.pdf()).decode(),
        }
        browser.command("setFiles", page="f", selector="#attachments", files=[scan])
        browser.command("submit", page="f", selector="#submit-form button[type=submit]")
        code = browser.command("text", page="f", selector="#tracking-code").strip()
        secret = browser.command("text", page="f", selector="#secret").strip()
    shown = workflow.server.gql(TRACKED_FILES, {"c": code, "s": secret})
    names = [a["filename"] for a in shown["petitionForPetitioner"]["attachments"]]
    assert names == ["đơn kiến nghị.pdf"]
