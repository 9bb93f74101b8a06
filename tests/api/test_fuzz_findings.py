"""What the fuzzer (tests/api/test_fuzz.py) found, each case as it was found, on SQLite and
PostgreSQL: a coded answer now, where there was an INTERNAL_SERVER_ERROR.

- U+0000 in any text reached PostgreSQL, whose text type cannot hold it, and the whole
  statement failed: in a code or tracking code looked up (`agency`, `petition`,
  `petitionForPetitioner`, the filters' code lists, the exports, the compiled path,
  `rateAnswer`), and in the text an action writes (notes, answers, comments, follow-ups,
  an idempotency key). Lookups now find nothing, as SQLite did (`db.queries.codes`); an
  action's text with a control character is INVALID_TEXT, the submission's own rule
  (`resolvers.mutations`).
- A cursor whose time lies far outside 2000-2199 (`["SUBMITTED_AT:DESC",
  "9999-12-31T23:59:59-14:00", 5]`) overflowed when bound (its UTC is past year 9999):
  INVALID_CURSOR, as is one whose id is `true` (a bool passed for an int; the security
  review's case, also in tests/api/test_hostile_inputs.py).

- A document with an empty selection set, `{}`, which graphql-core 3.3 parses, made
  Strawberry's depth limiter raise inside Strawberry's validation cache, and the message
  reached the client without a code: GRAPHQL_VALIDATION_FAILED (`ErrorCodes._escaped`).
- A field that failed beside a dataloaded sibling (an agency's `scorecard` with a date out
  of range beside its `petitions`) left the sibling's batch to run after the request had
  closed its session: the batch began a new transaction whose connection nobody returned
  to the pool, and the garbage collector's complaint was the only trace. Closing the
  session now waits for the batches (`db.engine.SerialSession.keep_open_for`).
"""

from __future__ import annotations

import asyncio
import base64
import gc
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from tests.support.databases import prepared_database
from tests.support.fuzz_checks import check_quiet, watched_errors
from tests.support.server import RunningServer
from tests.support.workflow import (
    Workflow,
    action_body,
    bearer,
    make_tokens,
    submission,
    workflow_settings,
)

NUL = "a\x00b"


@pytest.fixture(scope="module")
def findings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workflow]:
    """A server on a database of this module's own (its actions write)."""
    with prepared_database(backend, tmp_path_factory.mktemp("findings")) as url:
        tokens = asyncio.run(make_tokens(url))
        with RunningServer(workflow_settings(url, read_rate=0)) as server:
            yield Workflow(server, tokens)


def _payload(workflow: Workflow, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = workflow.server.post(query, variables)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in payload.get("errors") or ()]


# --- U+0000 in a lookup finds nothing ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($c: String!) { agency(code: $c) { code } }", {"c": NUL}),
        ("query($c: String!) { petition(trackingCode: $c) { id } }", {"c": "PAKN-2026-000001\x00"}),
        (
            "query($c: String!, $s: String!) { petitionForPetitioner(trackingCode: $c, "
            "secret: $s) { id } }",
            {"c": NUL, "s": "x"},
        ),
    ],
)
def test_a_code_with_nul_names_nothing(
    findings: Workflow, query: str, variables: dict[str, Any]
) -> None:
    payload = _payload(findings, query, variables)
    assert "errors" not in payload, payload
    assert list(payload["data"].values()) == [None]


@pytest.mark.parametrize("filter_key", ["agencyCodes", "fieldCodes"])
def test_a_filter_code_with_nul_is_an_unknown_code(findings: Workflow, filter_key: str) -> None:
    query = "query($f: PetitionFilter) { petitions(filter: $f) { totalCount } }"
    assert _codes(_payload(findings, query, {"f": {filter_key: [NUL]}})) == ["UNKNOWN_CODE"]
    stats = "query($f: StatsFilter) { stats(filter: $f) { __typename } }"
    assert _codes(_payload(findings, stats, {"f": {filter_key: ["BTC\x00"]}})) == ["UNKNOWN_CODE"]


def test_an_export_filter_code_with_nul_is_refused_before_its_body(findings: Workflow) -> None:
    response = findings.server.client.get("/export/petitions.csv", params={"agencyCodes": "\x00"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNKNOWN_CODE"


def test_the_compiled_path_finds_nothing_for_a_tracking_code_with_nul(findings: Workflow) -> None:
    tracking_code = findings.submit()["trackingCode"]
    query = "query($c: String!) { petition(trackingCode: $c) { trackingCode title } }"
    for _ in range(2):  # the second answer comes from the compiled path
        assert findings.server.gql(query, {"c": tracking_code})["petition"] is not None
    payload = _payload(findings, query, {"c": tracking_code + "\x00"})
    assert payload == {"data": {"petition": None}}


# --- U+0000 (any control character) in an action's text is INVALID_TEXT -----------------


def _refusals(
    workflow: Workflow, name: str, token: str | None, petition: dict[str, Any], **input: Any
) -> list[tuple[list[str], str]]:
    response = workflow.server.client.post(
        "/graphql", json=action_body(name, petition, **input), headers=bearer(token)
    )
    payload = response.json()
    assert response.status_code == 200 and "errors" not in payload, payload
    (result,) = payload["data"].values()
    return [(error["field"], error["code"]) for error in result["userErrors"]]


@pytest.mark.parametrize(
    ("action", "text"),
    [
        ("assign", {"agencyCode": "BTC", "note": NUL}),
        ("assign", {"agencyCode": NUL}),
        ("assign", {"agencyCode": "BTC", "fieldCode": NUL}),
        ("reject", {"reason": "DUPLICATE", "duplicateOf": NUL}),
        ("reject", {"reason": "OUT_OF_SCOPE", "note": NUL}),
        ("feature", {"note": NUL}),
    ],
)
def test_a_coordinators_text_with_nul_is_invalid_text(
    findings: Workflow, action: str, text: dict[str, str]
) -> None:
    petition = findings.submit()["petition"]
    (field,) = [name for name, value in text.items() if value == NUL]
    refusals = _refusals(findings, action, findings.tokens.coordinator, petition, **text)
    assert refusals == [(["input", field], "INVALID_TEXT")]


@pytest.mark.parametrize(
    ("action", "text"),
    [
        ("progress", {"note": NUL}),
        ("request_transfer", {"note": NUL}),
        ("answer", {"body": NUL * 20}),
    ],
)
def test_an_agency_officers_text_with_nul_is_invalid_text(
    findings: Workflow, action: str, text: dict[str, str]
) -> None:
    petition, _secret = findings.in_progress()
    (field,) = text
    refusals = _refusals(findings, action, findings.tokens.btc, petition, **text)
    assert refusals == [(["input", field], "INVALID_TEXT")]


def test_a_transfer_to_an_agency_code_with_nul_is_invalid_text(findings: Workflow) -> None:
    petition, _secret = findings.in_progress()
    refusals = _refusals(
        findings, "transfer", findings.tokens.coordinator, petition, agencyCode=NUL, note=NUL
    )
    invalid = "INVALID_TEXT"
    assert refusals == [(["input", "note"], invalid), (["input", "agencyCode"], invalid)]


def test_a_petitioners_text_with_nul_is_invalid_text(findings: Workflow) -> None:
    petition, secret = findings.answered()
    rate = _refusals(findings, "rate", None, petition, secret=secret, score=5, comment=NUL)
    assert rate == [(["input", "comment"], "INVALID_TEXT")]
    follow_up = _refusals(findings, "follow_up", None, petition, secret=secret, body=NUL)
    assert follow_up == [(["input", "body"], "INVALID_TEXT")]
    wrong_code = {**petition, "trackingCode": petition["trackingCode"] + "\x00"}
    rate = _refusals(findings, "rate", None, wrong_code, secret=secret, score=5)
    assert rate == [(["input", "secret"], "INVALID_SECRET")]


def test_an_idempotency_key_with_nul_is_invalid_text(findings: Workflow) -> None:
    query = (
        "mutation($i: SubmitPetitionInput!) { submitPetition(input: $i) { trackingCode "
        "userErrors { field code } } }"
    )
    payload = _payload(findings, query, {"i": submission(idempotencyKey="key\x00")})
    assert payload["data"]["submitPetition"] == {
        "trackingCode": None,
        "userErrors": [{"field": ["input", "idempotencyKey"], "code": "INVALID_TEXT"}],
    }


def test_a_note_with_windows_line_breaks_is_still_taken(findings: Workflow) -> None:
    petition, _secret = findings.in_progress()
    note = "Đã liên hệ Sở Tài chính.\r\nChờ phản hồi trong tuần."
    assert _refusals(findings, "progress", findings.tokens.btc, petition, note=note) == []


# --- a cursor's time outside 2000-2199, or an id of true, is INVALID_CURSOR -------------


def _cursor(payload: list[object]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


PAGES = [
    (None, "first: 2, after: $c"),
    (None, "last: 2, before: $c"),
    ({"field": "DEADLINE_AT", "direction": "ASC"}, "first: 2, after: $c"),
]


def _page_codes(
    workflow: Workflow, order: dict[str, str] | None, page: str, value: object, ident: object
) -> list[str]:
    name = f"{order['field']}:{order['direction']}" if order else "SUBMITTED_AT:DESC"
    query = (
        f"query($c: String, $o: PetitionOrder) {{ petitions({page}, orderBy: $o) "
        "{ totalCount nodes { id } } }"
    )
    return _codes(_payload(workflow, query, {"c": _cursor([name, value, ident]), "o": order}))


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z"]
)
@pytest.mark.parametrize(("order", "page"), PAGES)
def test_a_cursor_time_far_outside_the_supported_years_is_invalid(
    findings: Workflow, moment: str, order: dict[str, str] | None, page: str
) -> None:
    assert _page_codes(findings, order, page, moment, 5) == ["INVALID_CURSOR"]


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00+07:00", None])
@pytest.mark.parametrize(("order", "page"), PAGES)
def test_a_cursor_whose_id_is_true_is_invalid(
    findings: Workflow, value: str | None, order: dict[str, str] | None, page: str
) -> None:
    assert _page_codes(findings, order, page, value, True) == ["INVALID_CURSOR"]


@pytest.mark.parametrize("document", ["{}", "{ fields {} }"])
def test_an_empty_selection_set_gets_a_coded_error(findings: Workflow, document: str) -> None:
    payload = _payload(findings, document, {})
    assert _codes(payload) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_batch_outliving_its_failed_sibling_gives_its_connection_back(
    demo_server: RunningServer,
) -> None:
    document = """{ agency(code: "BTC") {
        petitions(first: 5) { nodes { latestEvent { toStatus } } }
        scorecard(from: "4975-08-18") { averageRating } } }"""
    with watched_errors() as log:
        for _ in range(3):
            response = demo_server.post(document, {})
            assert _codes(response.json()) == ["INVALID_DATE_RANGE"], response.text
        time.sleep(0.2)
        gc.collect()
        check_quiet(log, document)
