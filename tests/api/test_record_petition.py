"""Petitions received by letter, phone, fax, e-mail or in person, entered by an officer
(#18, point 3): `recordPetition`, for the Government Office or an agency's officer, starts
them SUBMITTED with submittedAt their receivedAt and intakeChannel how they came, returns
the secret once, takes a scan of the letter, and spares the officer the hourly limit and
the bot check. On both databases."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from app.domain.timezone import now
from tests.support import sample_files
from tests.support.server import RunningServer
from tests.support.uploads import post_files
from tests.support.workflow import (
    SUBMIT,
    Tokens,
    bearer,
    make_tokens,
    submission,
    workflow_settings,
)

RECORD = """mutation($input: RecordPetitionInput!) { recordPetition(input: $input) {
  trackingCode secret petition { trackingCode status submittedAt intakeChannel }
  userErrors { field code } } }"""
SEEN = """query($c: String!, $s: String!) { petitionForPetitioner(trackingCode: $c, secret: $s) {
  intakeChannel submittedAt attachments { filename mediaType }
  events(first: 5) { nodes { action actorRole } } } }"""


@pytest.fixture
def served(empty_database: str) -> Iterator[tuple[RunningServer, Tokens]]:
    settings = workflow_settings(
        empty_database, submissions_per_hour=1, submit_pow=True, pow_max_number=2000
    )
    tokens = asyncio.run(make_tokens(empty_database))
    with RunningServer(settings) as server:
        yield server, tokens


def _letter(**overrides: Any) -> dict[str, Any]:
    received = (now() - timedelta(days=3)).replace(microsecond=0)
    title = f"Đơn thư về thủ tục đất đai gửi qua bưu điện {uuid.uuid4().hex[:6]}"
    return {
        **submission(title=title),
        "intakeChannel": "LETTER",
        "receivedAt": received.isoformat(),
        **overrides,
    }


def _record(server: RunningServer, token: str | None, input: dict[str, Any]) -> dict[str, Any]:
    response = server.client.post(
        "/graphql", json={"query": RECORD, "variables": {"input": input}}, headers=bearer(token)
    )
    return response.json()  # type: ignore[no-any-return]


def test_an_officer_enters_a_letter_and_the_petitioner_gets_a_secret(
    served: tuple[RunningServer, Tokens],
) -> None:
    server, tokens = served
    letter = _letter()
    for token in (tokens.coordinator, tokens.btc):
        recorded = _record(server, token, letter | {"title": letter["title"] + token[-4:]})
        filed = recorded["data"]["recordPetition"]
        assert filed["userErrors"] == [], filed
        assert filed["petition"]["status"] == "SUBMITTED"
        assert filed["petition"]["intakeChannel"] == "LETTER"
        submitted = datetime.fromisoformat(filed["petition"]["submittedAt"])
        assert submitted == datetime.fromisoformat(letter["receivedAt"]), "as received"
        seen = server.gql(SEEN, {"c": filed["trackingCode"], "s": filed["secret"]})
        view = seen["petitionForPetitioner"]
        assert view["intakeChannel"] == "LETTER"
        assert view["events"]["nodes"][0]["action"] == "SUBMIT"
    roles = [
        server.gql(SEEN, {"c": r["trackingCode"], "s": r["secret"]})
        for r in [
            _record(server, tokens.coordinator, _letter())["data"]["recordPetition"],
            _record(server, tokens.btc, _letter())["data"]["recordPetition"],
        ]
    ]
    assert [r["petitionForPetitioner"]["events"]["nodes"][0]["actorRole"] for r in roles] == [
        "COORDINATOR",
        "AGENCY_OFFICER",
    ]


def test_received_at_and_intake_channel_are_checked(served: tuple[RunningServer, Tokens]) -> None:
    server, tokens = served

    def codes(input: dict[str, Any]) -> list[str]:
        payload = _record(server, tokens.coordinator, input)["data"]["recordPetition"]
        return [error["code"] for error in payload["userErrors"]]

    later = (now() + timedelta(hours=1)).isoformat()
    assert codes(_letter(receivedAt=later)) == ["INVALID_RECEIVED_AT"]
    assert codes(_letter(receivedAt="1999-12-31T23:00:00+07:00")) == ["INVALID_RECEIVED_AT"]
    assert codes(_letter(intakeChannel="ONLINE")) == ["INVALID_INTAKE_CHANNEL"]
    assert codes(_letter(receivedAt="2026-01-05T09:30:00+07:00")) == []


def test_only_officers_record_and_they_skip_the_limit_and_the_bot_check(
    served: tuple[RunningServer, Tokens],
) -> None:
    server, tokens = served
    anonymous = _record(server, None, _letter())
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    admin = _record(server, tokens.admin, _letter())
    assert admin["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    public = server.post(SUBMIT, {"input": submission(title=f"Thủ tục công khai {uuid.uuid4()}")})
    assert [e["code"] for e in public.json()["data"]["submitPetition"]["userErrors"]] == [
        "CHALLENGE_REQUIRED"
    ], "the public needs the bot check here"
    for _ in range(3):
        assert (
            _record(server, tokens.coordinator, _letter())["data"]["recordPetition"]["userErrors"]
            == []
        ), "past the hourly limit of 1, with no bot check"


def test_a_scan_of_the_letter_is_attached(served: tuple[RunningServer, Tokens]) -> None:
    server, tokens = served
    scan = ("thư tay.jpg", sample_files.photo_with_gps(), "image/jpeg")
    posted = post_files(server, RECORD, _letter(), [scan], token=tokens.btc)
    filed = posted.json()["data"]["recordPetition"]
    assert filed["userErrors"] == [], posted.text
    seen = server.gql(SEEN, {"c": filed["trackingCode"], "s": filed["secret"]})
    assert seen["petitionForPetitioner"]["attachments"] == [
        {"filename": "thư tay.jpg", "mediaType": "image/jpeg"}
    ]


def test_the_list_the_statistics_and_the_exports_filter_by_intake_channel(
    empty_database: str,
) -> None:
    tokens = asyncio.run(make_tokens(empty_database))
    with RunningServer(workflow_settings(empty_database)) as server:
        for channel in ("LETTER", "LETTER", "PHONE"):
            assert (
                _record(server, tokens.coordinator, _letter(intakeChannel=channel))["data"][
                    "recordPetition"
                ]["userErrors"]
                == []
            )
        server.post(SUBMIT, {"input": submission(title=f"Thủ tục trực tuyến {uuid.uuid4()}")})
        counts = server.gql(
            """{ letters: petitions(filter: {intakeChannels: [LETTER]}) { totalCount }
                 offline: petitions(filter: {intakeChannels: [LETTER, PHONE]}) { totalCount }
                 online: petitions(filter: {intakeChannels: [ONLINE]}) { totalCount }
                 stats(filter: {intakeChannels: [LETTER]}) { totals { received } } }"""
        )
        assert counts["letters"]["totalCount"] == 2
        assert counts["offline"]["totalCount"] == 3
        assert counts["online"]["totalCount"] == 1
        assert counts["stats"]["totals"]["received"] == 2
        rows = server.gql(
            "{ stats { byIntakeChannel { intakeChannel stats { received answered } } } }"
        )["stats"]["byIntakeChannel"]
        assert [(r["intakeChannel"], r["stats"]["received"]) for r in rows] == [
            ("ONLINE", 1),
            ("LETTER", 2),
            ("PHONE", 1),
        ]
        exported = server.client.get("/export/petitions.csv", params={"intakeChannels": "phone"})
        rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
        assert [row["intake_channel"] for row in rows] == ["PHONE"]


REISSUE = """mutation($id: ID!) { reissuePetitionerSecret(input: {petitionId: $id}) {
  trackingCode secret userErrors { code } } }"""
HISTORY = """query($c: String!) { petition(trackingCode: $c) { version
  events(first: 10) { nodes { action actorRole note } } } }"""


def test_an_officer_reissues_a_lost_secret_and_the_history_says_so(
    served: tuple[RunningServer, Tokens],
) -> None:
    server, tokens = served
    key = uuid.uuid4().hex
    letter = _letter(idempotencyKey=key)
    filed = _record(server, tokens.coordinator, letter)["data"]["recordPetition"]
    code, old = filed["trackingCode"], filed["secret"]
    petition_id = server.gql(
        "query($c: String!) { petition(trackingCode: $c) { id version } }", {"c": code}
    )["petition"]

    def reissue(token: str | None) -> dict[str, Any]:
        response = server.client.post(
            "/graphql",
            json={"query": REISSUE, "variables": {"id": petition_id["id"]}},
            headers=bearer(token),
        )
        return response.json()  # type: ignore[no-any-return]

    assert reissue(None)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert reissue(tokens.btc)["errors"][0]["extensions"]["code"] == "FORBIDDEN", "no agency"
    given = reissue(tokens.coordinator)["data"]["reissuePetitionerSecret"]
    assert given["userErrors"] == [] and given["trackingCode"] == code
    new = given["secret"]
    assert new and new != old
    assert server.gql(SEEN, {"c": code, "s": new})["petitionForPetitioner"] is not None
    assert server.gql(SEEN, {"c": code, "s": old})["petitionForPetitioner"] is None
    history = server.gql(HISTORY, {"c": code})["petition"]
    last = history["events"]["nodes"][-1]
    assert last == {"action": "SECRET_REISSUED", "actorRole": "COORDINATOR", "note": None}
    assert history["version"] == petition_id["version"], "the version is unchanged"
    retried = _record(server, tokens.coordinator, letter)["data"]["recordPetition"]
    assert [e["code"] for e in retried["userErrors"]] == ["SECRET_REISSUED"]
    assert retried["secret"] is None
