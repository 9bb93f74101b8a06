"""The petition lifecycle over the real API: each path, and each refusal changing nothing."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.domain.working_days import deadline_after
from tests.support.workflow import (
    ANSWER_TEXT,
    FOLLOW_UP_TEXT,
    SUBMIT,
    Workflow,
    count_events,
    submission,
)


def _actions(petition: dict) -> list[str]:  # type: ignore[type-arg]
    return [e["node"]["action"] for e in petition["events"]["edges"]]


def test_submit_returns_tracking_code_and_secret_once(workflow: Workflow) -> None:
    submitted = workflow.submit()
    petition = submitted["petition"]
    assert submitted["trackingCode"] == petition["trackingCode"]
    assert submitted["trackingCode"].startswith("PAKN-")
    assert len(submitted["secret"]) >= 32
    assert petition["status"] == "SUBMITTED" and petition["version"] == 1
    assert _actions(petition) == ["SUBMIT"]
    public = workflow.public_view(petition["trackingCode"])
    assert public["status"] == "SUBMITTED"


def test_text_is_stored_in_nfc(workflow: Workflow) -> None:
    title = "Thủ tục đăng ký hộ tịch cho trẻ em còn rườm rà"
    body = "Xin phản ánh việc đăng ký khai sinh cho trẻ em tại phường mất quá nhiều thời gian."
    submitted = workflow.submit(
        title=unicodedata.normalize("NFD", title), body=unicodedata.normalize("NFD", body)
    )
    assert submitted["petition"]["title"] == title
    assert submitted["petition"]["body"] == body


def test_answers_notes_and_comments_are_stored_in_nfc(workflow: Workflow) -> None:
    """Decomposed input (as some keyboards and PDFs give) is sealed and stored as NFC."""
    petition, secret = workflow.in_progress()
    note = "Đang xác minh hồ sơ với Sở Tài nguyên và Môi trường."
    btc = workflow.tokens.btc
    petition = workflow.act("progress", btc, petition, note=unicodedata.normalize("NFD", note))
    petition = workflow.act("answer", btc, petition, body=unicodedata.normalize("NFD", ANSWER_TEXT))
    assert petition["answers"][0]["body"] == ANSWER_TEXT
    assert note in [e["node"]["note"] for e in petition["events"]["edges"]]
    comment = "Cảm ơn quý cơ quan đã trả lời nhanh."
    rated = workflow.act(
        "rate",
        None,
        petition,
        secret=secret,
        score=5,
        comment=unicodedata.normalize("NFD", comment),
    )
    assert rated["rating"]["comment"] == comment


def test_a_blank_follow_up_names_its_body_field(workflow: Workflow) -> None:
    petition, secret = workflow.answered()
    payload = workflow.attempt("follow_up", None, petition, secret=secret, body="  ")
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "body"], "REQUIRED")
    ]


def test_happy_path_to_closed_with_a_sealed_answer(workflow: Workflow) -> None:
    petition, secret = workflow.in_progress()
    assert petition["status"] == "IN_PROGRESS" and petition["agency"]["code"] == "BTC"
    accepted = datetime.fromisoformat(petition["acceptedAt"])
    assert datetime.fromisoformat(petition["deadlineAt"]) == deadline_after(accepted, 20)

    updated = workflow.act(
        "progress",
        workflow.tokens.btc,
        petition,
        note="Đang phối hợp với Sở Tài nguyên và Môi trường.",
    )
    assert datetime.fromisoformat(updated["deadlineAt"]) >= datetime.fromisoformat(
        petition["deadlineAt"]
    ), "a progress update restarts the clock"

    answered = workflow.act("answer", workflow.tokens.btc, updated, body=ANSWER_TEXT)
    assert answered["status"] == "ANSWERED"
    assert answered["responseWorkingDays"] == 0 and answered["answeredOnTime"] is True
    answer = answered["answers"][0]
    keys = workflow.server.gql(
        '{ agency(code: "BTC") { publicKeys { keyId publicKey algorithm } } }'
    )
    key = next(k for k in keys["agency"]["publicKeys"] if k["keyId"] == answer["keyId"])
    assert key["algorithm"] == "Ed25519"
    moment = (
        datetime.fromisoformat(answer["answeredAt"])
        .astimezone()
        .astimezone(__import__("datetime").timezone.utc)
    )
    message = "\n".join(
        [
            "pakn-answer-v2",
            petition["trackingCode"],
            "BTC",
            moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            hashlib.sha256(answer["body"].encode()).hexdigest(),
            "",
        ]
    ).encode()
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key["publicKey"])).verify(
        base64.b64decode(answer["signature"]), message
    )

    closed = workflow.act(
        "rate", None, petition, secret=secret, score=4, comment="Đã được giải quyết."
    )
    assert closed["status"] == "CLOSED" and closed["rating"]["score"] == 4
    assert _actions(closed) == [
        "SUBMIT",
        "ASSIGN",
        "ACKNOWLEDGE",
        "PROGRESS_UPDATE",
        "ANSWER",
        "RATE",
    ]
    assert closed["version"] == 6


def test_transfer_path_hides_the_internal_request(workflow: Workflow) -> None:
    petition, _ = workflow.in_progress()
    requested = workflow.act(
        "request_transfer",
        workflow.tokens.btc,
        petition,
        note="Nội dung thuộc thẩm quyền của Bộ Y tế.",
    )
    assert requested["status"] == "TRANSFER_REQUESTED"
    public = workflow.public_view(petition["trackingCode"])
    assert "REQUEST_TRANSFER" not in _actions(public)
    assert "REQUEST_TRANSFER" in _actions(requested), "the agency's officer sees it"
    moved = workflow.act("transfer", workflow.tokens.coordinator, requested, agencyCode="BYT")
    assert moved["status"] == "ASSIGNED" and moved["agency"]["code"] == "BYT"
    acknowledged = workflow.act("acknowledge", workflow.tokens.byt, moved)
    assert acknowledged["status"] == "IN_PROGRESS"


def test_follow_ups_escalate_and_the_government_office_answers(workflow: Workflow) -> None:
    petition, secret = workflow.answered()
    for round_ in (1, 2):
        followed = workflow.act("follow_up", None, petition, secret=secret, body=FOLLOW_UP_TEXT)
        assert followed["followUpCount"] == round_
        if round_ == 1:
            assert followed["status"] == "IN_PROGRESS"
            workflow.act("answer", workflow.tokens.btc, followed, body=ANSWER_TEXT)
    assert followed["status"] == "ESCALATED"
    assert _actions(followed)[-2:] == ["FOLLOW_UP", "ESCALATE"]
    final = workflow.act("answer", workflow.tokens.coordinator, followed, body=ANSWER_TEXT)
    assert final["status"] == "ANSWERED"
    assert final["answers"][-1]["agency"]["code"] == "VPCP"


def test_coordinator_escalates_and_rejects_duplicates(workflow: Workflow) -> None:
    petition, _ = workflow.assigned()
    escalated = workflow.act(
        "escalate",
        workflow.tokens.coordinator,
        petition,
        reason="MULTI_AGENCY_DISAGREEMENT",
        note="Hai bộ chưa thống nhất.",
    )
    assert escalated["status"] == "ESCALATED"
    duplicate = workflow.submit()["petition"]
    rejected = workflow.act(
        "reject",
        workflow.tokens.coordinator,
        duplicate,
        reason="DUPLICATE",
        duplicateOf=petition["trackingCode"],
    )
    assert rejected["status"] == "REJECTED"


def test_refusals_change_nothing(workflow: Workflow, lifecycle_database: str) -> None:
    petition, secret = workflow.assigned()
    version = petition["version"]
    events_before = count_events(lifecycle_database)
    tokens = workflow.tokens

    def user_error(name: str, token: str | None, **input: object) -> str:
        payload = workflow.attempt(name, token, petition, **input)
        assert payload["petition"] is None
        return payload["userErrors"][0]["code"]  # type: ignore[no-any-return]

    assert workflow.refusal("assign", None, petition, agencyCode="BTC") == ["UNAUTHENTICATED"]
    assert workflow.refusal("assign", "pakn_not-a-real-token", petition, agencyCode="BTC") == [
        "UNAUTHENTICATED"
    ]
    assert workflow.refusal("assign", tokens.btc, petition, agencyCode="BTC") == ["FORBIDDEN"]
    assert workflow.refusal("acknowledge", tokens.admin, petition) == ["FORBIDDEN"]
    assert user_error("acknowledge", tokens.byt) == "WRONG_AGENCY"
    assert user_error("acknowledge", tokens.btc, expectedVersion=version - 1) == "STALE_VERSION"
    assert user_error("answer", tokens.btc, body=ANSWER_TEXT) == "INVALID_TRANSITION"
    assert user_error("rate", None, secret="wrong" * 9, score=5) == "INVALID_SECRET"
    assert user_error("rate", None, secret=secret, score=5) == "INVALID_TRANSITION"
    assert user_error("transfer", tokens.coordinator, agencyCode="NOPE") == "UNKNOWN_CODE"
    assert user_error("acknowledge", tokens.btc, petitionId="bad-id") == "INVALID_ID"
    assert count_events(lifecycle_database) == events_before
    unchanged = workflow.public_view(petition["trackingCode"])
    assert (unchanged["status"], unchanged["version"]) == ("ASSIGNED", version)


def test_invalid_submissions_report_every_problem(workflow: Workflow) -> None:
    response = workflow.server.post(
        SUBMIT,
        {
            "input": submission(
                channel="BUSINESS",
                title="ngắn",
                body="quá ngắn",
                petitioner={"fullName": "Công ty", "email": "not-an-email", "phone": "12345"},
                fieldCode="NOPE",
            )
        },
    )
    payload = response.json()["data"]["submitPetition"]
    assert payload["petition"] is None and payload["secret"] is None
    found = {(tuple(e["field"]), e["code"]) for e in payload["userErrors"]}
    assert ("input", "title") in {f for f, _ in found}
    assert (("input", "petitioner", "email"), "INVALID_EMAIL") in found
    assert (("input", "petitioner", "phone"), "INVALID_PHONE") in found
    assert (("input", "fieldCode"), "UNKNOWN_CODE") in found
    assert any(f == ("input", "petitioner", "taxCode") for f, _ in found)


def test_idempotent_submission(workflow: Workflow) -> None:
    first = workflow.submit(idempotencyKey="retry-key-1")
    again = workflow.submit(idempotencyKey="retry-key-1")
    assert (again["trackingCode"], again["secret"]) == (first["trackingCode"], first["secret"])
    response = workflow.server.post(
        SUBMIT,
        {"input": submission(idempotencyKey="retry-key-1", title="Một tiêu đề khác hẳn trước")},
    )
    errors = response.json()["data"]["submitPetition"]["userErrors"]
    assert [e["code"] for e in errors] == ["IDEMPOTENCY_KEY_REUSED"]


def test_contact_data_reaches_only_the_petitioner_and_handling_officers(
    workflow: Workflow,
) -> None:
    submitted = workflow.submit(isPrivate=True)
    petition, secret = submitted["petition"], submitted["secret"]
    workflow.act("assign", workflow.tokens.coordinator, petition, agencyCode="BTC")
    query = """query($c: String!) { petition(trackingCode: $c) { title body
        petitioner { fullName email phone } } }"""

    def view(token: str | None) -> dict:  # type: ignore[type-arg]
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = workflow.server.post(query, {"c": petition["trackingCode"]}, headers=headers)
        return response.json()["data"]["petition"]  # type: ignore[no-any-return]

    assert view(None) == {"title": None, "body": None, "petitioner": None}
    assert view(workflow.tokens.byt)["petitioner"] is None
    assert view(workflow.tokens.btc)["petitioner"]["email"] == "hoa.nguyen@example.vn"
    assert view(workflow.tokens.coordinator)["title"] is not None
    own = workflow.server.gql(
        """query($c: String!, $s: String!) { petitionForPetitioner(trackingCode: $c, secret: $s) {
            title petitioner { fullName } } }""",
        {"c": petition["trackingCode"], "s": secret},
    )["petitionForPetitioner"]
    assert own["petitioner"]["fullName"] == "Nguyễn Thị Hoa" and own["title"]
    wrong = workflow.server.gql(
        """query($c: String!) { petitionForPetitioner(trackingCode: $c, secret: "nope") {
            title } }""",
        {"c": petition["trackingCode"]},
    )
    assert wrong == {"petitionForPetitioner": None}


@pytest.mark.parametrize("action", ["acknowledge", "request_transfer"])
def test_a_coordinator_is_refused_agency_actions_the_same_way_whatever_the_input(
    workflow: Workflow, action: str
) -> None:
    """The mutation's gate reads the workflow's role table, so a COORDINATOR gets FORBIDDEN
    before the input is looked at: with a real petition, a malformed id or a missing one."""
    petition, _secret = workflow.assigned()
    extra = {"note": "Chuyển cơ quan khác."} if action == "request_transfer" else {}
    for petition_id in (petition["id"], "not-an-id", "UGV0aXRpb246OTk5OTk5"):
        codes = workflow.refusal(
            action, workflow.tokens.coordinator, petition, petitionId=petition_id, **extra
        )
        assert codes == ["FORBIDDEN"], petition_id
