"""Private means private (#14, point 3): a private petition answered, updated with a
progress note, rated with a comment and featured with a note; the public, on every path
(GraphQL general and compiled, node(id:), the exports, the quarterly report, a
subscription over a real socket), sees none of that text but every piece of metadata and
the seal, which verifies from its public body hash; the officers handling it and the
petitioner still read the text, and the seal verifies against it."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from app.domain.signing import verify_answer
from app.domain.timezone import to_local
from tests.support.records import csv_records, ndjson_records
from tests.support.seal_check import check_answer
from tests.support.server import compiled_answers
from tests.support.workflow import Tokens, Workflow, bearer, serving_workflow
from tests.support.ws_client import GraphQLSocket

ROOT = Path(__file__).resolve().parents[2]
ANSWER = """id body bodySha256 sealVersion signature keyId answeredAt
    agency { code publicKeys { keyId publicKey } }"""
GENERAL = (
    """query($c: String!) { petition(trackingCode: $c) { id trackingCode isPrivate status
    title body featuredNote featuredAt answeredAt agency { code }
    answers { """
    + ANSWER
    + """ } latestAnswer { body bodySha256 }
    rating { score comment ratedAt } latestEvent { action note }
    events(first: 100) { edges { node { id action toStatus at note actorRole } } } } }"""
)
COMPILED = """query($c: String!) { petition(trackingCode: $c) { trackingCode title featuredNote
    latestAnswer { body bodySha256 sealVersion signature keyId answeredAt }
    rating { score comment ratedAt }
    events(first: 100) { edges { cursor node { action note at } } } } }"""
COMPILED_LIST = """query($from: DateTime!) { petitions(first: 20, filter: {submittedFrom: $from})
    { edges { node { trackingCode title body featuredNote
    latestAnswer { body bodySha256 sealVersion } rating { score comment } } } } }"""
FOR_PETITIONER = (
    "query($c: String!, $s: String!) { petitionForPetitioner(trackingCode: $c, secret: $s) "
    "{ title featuredNote answers { " + ANSWER + " } rating { comment } "
    "events(first: 100) { edges { node { action note } } } } }"
)


@dataclass
class Case:
    workflow: Workflow
    code: str
    secret: str
    submitted_at: str
    texts: list[str]
    """Every free text of the petition, each holding `tag`."""
    tag: str
    answer_body: str
    note: str
    comment: str
    featured_note: str

    def as_officer(self, token: str, query: str = GENERAL) -> dict[str, Any]:
        response = self.workflow.server.post(query, {"c": self.code}, headers=bearer(token))
        payload = response.json()
        assert "errors" not in payload, payload
        return payload["data"]["petition"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def case(lifecycle_database: str, lifecycle_tokens: Tokens) -> Iterator[Case]:
    tag = uuid.uuid4().hex[:10]
    title = f"Giấy phép xây dựng riêng {tag}"
    body = f"Tôi xin cấp giấy phép xây dựng nhà ở tại thửa đất số {tag}, hồ sơ đã nộp đủ."
    note = f"Đang xác minh hồ sơ cấp giấy phép xây dựng {tag} với Sở Xây dựng."
    answer = (
        f"Sau khi nghiên cứu phản ánh của ông/bà về cấp giấy phép xây dựng thửa {tag}, "
        "Bộ Tài chính trả lời như sau: hồ sơ sẽ được giải quyết trong năm ngày làm việc."
    )
    comment = f"Cảm ơn, đã nhận giấy phép {tag}."
    featured = f"Phản ánh hữu ích về giấy phép {tag}."
    with serving_workflow(lifecycle_database, lifecycle_tokens) as workflow:
        submitted = workflow.submit(isPrivate=True, title=title, body=body)
        tokens = workflow.tokens
        petition = workflow.act(
            "assign",
            tokens.coordinator,
            submitted["petition"],
            agencyCode="BTC",
            fieldCode="DAT_DAI",
            note=f"Chuyển Bộ Tài chính xử lý {tag}.",
        )
        petition = workflow.act("acknowledge", tokens.btc, petition)
        petition = workflow.act("progress", tokens.btc, petition, note=note)
        petition = workflow.act("answer", tokens.btc, petition, body=answer)
        petition = workflow.act(
            "rate", None, petition, secret=submitted["secret"], score=4, comment=comment
        )
        workflow.act("feature", tokens.coordinator, petition, note=featured)
        yield Case(
            workflow,
            submitted["trackingCode"],
            submitted["secret"],
            _submitted_at(workflow, submitted["trackingCode"]),
            [title, body, note, answer, comment, featured],
            tag,
            answer,
            note,
            comment,
            featured,
        )


def _submitted_at(workflow: Workflow, code: str) -> str:
    query = "query($c: String!) { petition(trackingCode: $c) { submittedAt } }"
    return workflow.server.gql(query, {"c": code})["petition"]["submittedAt"]  # type: ignore[no-any-return]


def _public(case: Case, query: str = GENERAL) -> dict[str, Any]:
    return case.workflow.server.gql(query, {"c": case.code})["petition"]  # type: ignore[no-any-return]


def _assert_withheld(petition: dict[str, Any], case: Case) -> None:
    assert case.tag not in str(petition), "no free text of a private petition"
    assert petition["title"] is None and petition["featuredNote"] is None
    assert petition["rating"]["score"] == 4 and petition["rating"]["comment"] is None
    assert petition["rating"]["ratedAt"]
    events = [edge["node"] for edge in petition["events"]["edges"]]
    assert {"PROGRESS_UPDATE", "ANSWER", "RATE", "FEATURE"} <= {e["action"] for e in events}
    assert all(event["note"] is None and event["at"] for event in events)
    assert petition["latestAnswer"]["body"] is None
    sha = hashlib.sha256(case.answer_body.encode()).hexdigest()
    assert petition["latestAnswer"]["bodySha256"] == sha


def test_the_general_path_withholds_the_text_and_keeps_the_metadata(case: Case) -> None:
    petition = _public(case)
    _assert_withheld(petition, case)
    assert petition["isPrivate"] is True and petition["status"] == "CLOSED"
    assert petition["body"] is None and petition["latestEvent"]["note"] is None
    assert petition["agency"]["code"] == "BTC" and petition["featuredAt"]
    [answer] = petition["answers"]
    assert answer["body"] is None and answer["sealVersion"] == 2
    assert answer["signature"] and answer["keyId"] and answer["answeredAt"]
    assert answer["agency"]["code"] == "BTC" and answer["agency"]["publicKeys"]


def test_the_compiled_path_withholds_them_alike(case: Case) -> None:
    server = case.workflow.server
    first = _public(case, COMPILED)
    before = compiled_answers(server)  # type: ignore[arg-type]
    again = _public(case, COMPILED)
    assert compiled_answers(server) == before + 1, "the compiled path answered"  # type: ignore[arg-type]
    assert again == first
    _assert_withheld(again, case)
    assert again["latestAnswer"]["sealVersion"] == 2 and again["latestAnswer"]["signature"]

    since = {"from": case.submitted_at}
    listed = server.gql(COMPILED_LIST, since)
    before = compiled_answers(server)  # type: ignore[arg-type]
    assert server.gql(COMPILED_LIST, since) == listed
    assert compiled_answers(server) == before + 1  # type: ignore[arg-type]
    [mine] = [
        e["node"] for e in listed["petitions"]["edges"] if e["node"]["trackingCode"] == case.code
    ]
    assert case.tag not in str(listed)
    assert mine["latestAnswer"]["body"] is None and mine["latestAnswer"]["bodySha256"]
    assert mine["rating"] == {"score": 4, "comment": None}


def test_node_lookups_withhold_them(case: Case) -> None:
    officer = case.as_officer(case.workflow.tokens.coordinator)
    answer_id = officer["answers"][0]["id"]
    progress = next(
        e["node"]["id"]
        for e in officer["events"]["edges"]
        if e["node"]["action"] == "PROGRESS_UPDATE"
    )
    query = """query($a: ID!, $e: ID!) { a: node(id: $a) { ... on Answer { body bodySha256
        sealVersion } } e: node(id: $e) { ... on PetitionEvent { action note } } }"""
    variables = {"a": answer_id, "e": progress}
    public = case.workflow.server.gql(query, variables)
    assert public["a"]["body"] is None and public["a"]["sealVersion"] == 2
    assert public["e"] == {"action": "PROGRESS_UPDATE", "note": None}
    response = case.workflow.server.post(query, variables, headers=bearer(case.workflow.tokens.btc))
    seen = response.json()["data"]
    assert seen["a"]["body"] == case.answer_body and seen["e"]["note"] == case.note


@pytest.mark.parametrize("who", ["coordinator", "btc"])
def test_the_officers_handling_it_read_the_text(case: Case, who: str) -> None:
    petition = case.as_officer(getattr(case.workflow.tokens, who))
    assert petition["answers"][0]["body"] == case.answer_body
    assert petition["rating"]["comment"] == case.comment
    assert petition["featuredNote"] == case.featured_note
    notes = [e["node"]["note"] for e in petition["events"]["edges"]]
    assert case.note in notes and petition["latestAnswer"]["body"] == case.answer_body


def test_another_agencys_officer_does_not(case: Case) -> None:
    petition = case.as_officer(case.workflow.tokens.byt)
    _assert_withheld(petition, case)


def test_the_petitioner_reads_the_text(case: Case) -> None:
    response = case.workflow.server.post(FOR_PETITIONER, {"c": case.code, "s": case.secret})
    petition = response.json()["data"]["petitionForPetitioner"]
    assert petition["answers"][0]["body"] == case.answer_body
    assert petition["rating"]["comment"] == case.comment
    assert petition["featuredNote"] == case.featured_note
    assert case.note in [e["node"]["note"] for e in petition["events"]["edges"]]


def test_the_seal_verifies_from_the_public_hash_and_against_the_body(case: Case) -> None:
    public = _public(case)["answers"][0]
    officer = case.as_officer(case.workflow.tokens.btc)["answers"][0]
    assert {k: v for k, v in public.items() if k != "body"} == {
        k: v for k, v in officer.items() if k != "body"
    }
    key = next(k for k in public["agency"]["publicKeys"] if k["keyId"] == public["keyId"])
    at = datetime.fromisoformat(public["answeredAt"])
    common = (key["publicKey"], public["signature"], case.code, "BTC")
    assert verify_answer(*common, None, at, version=2, digest=public["bodySha256"])
    assert verify_answer(*common, officer["body"], at, version=2)
    assert verify_answer(*common, officer["body"], at, version=2, digest=public["bodySha256"])
    assert not verify_answer(*common, officer["body"] + ".", at, version=2)
    # the README's verifier, run on the server's output as it came
    assert check_answer(public, case.code) == "sealed, text withheld"
    assert check_answer(officer, case.code) == "sealed"


def _export(case: Case, suffix: str) -> bytes:
    response = case.workflow.server.client.get(f"/export/petitions.{suffix}")
    assert response.status_code == 200, response.text
    return response.content


def test_the_exports_hold_none_of_the_text(case: Case) -> None:
    csv_data, ndjson_data = _export(case, "csv"), _export(case, "ndjson")
    for data in (csv_data, ndjson_data):
        assert case.tag.encode() not in data
    [row] = [r for r in csv_records(csv_data) if r["tracking_code"] == case.code]
    assert row["title"] == row["body"] == "" and row["is_private"] == "true"
    assert row["status"] == "CLOSED" and row["agency_code"] == "BTC"
    assert row["rating_score"] == "4" and row["answer_count"] == "1"
    [record] = [r for r in ndjson_records(ndjson_data) if r["tracking_code"] == case.code]
    assert record["title"] is None and record["body"] is None and record["answered_at"]
    descriptor = case.workflow.server.client.get("/export/datapackage.json").text
    assert "no petition's answer text, progress notes or rating comment" in descriptor


def test_the_quarterly_report_holds_none_of_the_text(case: Case) -> None:
    now = to_local(datetime.now().astimezone())
    quarter = (now.month - 1) // 3 + 1
    page = case.workflow.server.client.get(f"/reports/{now.year}-Q{quarter}")
    assert page.status_code == 200
    assert case.code in page.text, "the private petition is listed as featured"
    assert case.tag not in page.text
    report = case.workflow.server.gql(
        "query($y: Int!, $q: Int!) { quarterlyReport(year: $y, quarter: $q) { featured { "
        "trackingCode title featuredNote answers { body } rating { comment } } } }",
        {"y": now.year, "q": quarter},
    )["quarterlyReport"]
    [mine] = [p for p in report["featured"] if p["trackingCode"] == case.code]
    assert mine == {
        "trackingCode": case.code,
        "title": None,
        "featuredNote": None,
        "answers": [{"body": None}],
        "rating": {"comment": None},
    }


async def _replayed(case: Case, token: str | None) -> list[dict[str, Any]]:
    """The petition's events after its first, replayed over a real socket."""
    events = case.as_officer(case.workflow.tokens.coordinator)["events"]["edges"]
    public = _public(case, COMPILED)["events"]["edges"]
    async with GraphQLSocket(case.workflow.server.url, token=token) as socket:
        await socket.subscribe(code=case.code, after=public[0]["cursor"])
        count = (len(events) if token else len(public)) - 1
        return await socket.events(count)


def test_a_subscription_carries_no_note_to_the_public(case: Case) -> None:
    public = asyncio.run(_replayed(case, None))
    assert "PROGRESS_UPDATE" in [e["action"] for e in public]
    assert all(e["note"] is None for e in public) and case.tag not in str(public)
    officer = asyncio.run(_replayed(case, case.workflow.tokens.coordinator))
    assert case.note in [e["note"] for e in officer]


def test_the_readme_quotes_the_verifier_the_tests_run() -> None:
    """The README's verifier is this suite's `tests/support/seal_check.py`, word for word."""
    source = (ROOT / "tests/support/seal_check.py").read_text()
    code = source[source.index("import base64") :]
    assert f"```python\n{code}```" in (ROOT / "README.md").read_text()
