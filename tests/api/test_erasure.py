"""erasePetitionerData (#14, point 4): the petitioner erases their contact data over HTTP.

Afterwards nothing of it is anywhere in the database (every text column on PostgreSQL, the
file's bytes on SQLite), one public CONTACT_ERASED event without personal data is chained
like every event, and the public record, the statistics, the seals and the event chain are
as they were; the secret still rates and follows up.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, find, settings

from app.domain.timezone import to_local
from tests.support.cli import pakn
from tests.support.databases import prepared_database
from tests.support.erasure import places_holding
from tests.support.fuzz_documents import committed_schema, documents
from tests.support.fuzz_values import Seeds
from tests.support.stats_reader import STATS
from tests.support.workflow import (
    ANSWER_TEXT,
    FOLLOW_UP_TEXT,
    PETITION_FIELDS,
    TEST_KEY,
    Tokens,
    Workflow,
    make_tokens,
    serving_workflow,
    submission,
)

ERASE = (
    "mutation($input: ErasePetitionerDataInput!) { erasePetitionerData(input: $input) { "
    "petition { " + PETITION_FIELDS + " contactErasedAt petitioner { fullName } } "
    "userErrors { field code message } } }"
)
FOR_PETITIONER = (
    "query($c: String!, $s: String!) { petitionForPetitioner(trackingCode: $c, secret: $s) { "
    "status version contactErasedAt petitioner { fullName email phone address "
    "organizationName taxCode } } }"
)
PUBLIC = (
    "query($c: String!) { petition(trackingCode: $c) { " + PETITION_FIELDS + " contactErasedAt } }"
)
KEYS = "query($c: String!) { agency(code: $c) { publicKeys { keyId publicKey } } }"
CLI_ENVIRONMENT = {"PAKN_SECRET_KEY": TEST_KEY}


def _letters(count: int) -> str:
    return "".join(secrets.choice("bcdghklmnpqrstvx") for _ in range(count))


def business_petitioner() -> dict[str, str]:
    """Contact values found nowhere else: a search for them finds only their own copies."""
    word = _letters(9)
    return {
        "fullName": f"Phạm Thị {word.capitalize()}",
        "email": f"{word}.erase@example.vn",
        "phone": "09" + "".join(secrets.choice("0123456789") for _ in range(8)),
        "address": f"27 Đường {word.capitalize()}, Huế",
        "organizationName": f"Công ty TNHH {word.upper()}",
        "taxCode": "0" + "".join(secrets.choice("0123456789") for _ in range(9)),
    }


@pytest.fixture(scope="module")
def erasure_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with prepared_database(backend, tmp_path_factory.mktemp("erasure")) as url:
        yield url


@pytest.fixture(scope="module")
def erasure_tokens(erasure_database: str) -> Tokens:
    return asyncio.run(make_tokens(erasure_database))


@pytest.fixture(scope="module")
def driven(erasure_database: str, erasure_tokens: Tokens) -> Iterator[Workflow]:
    with serving_workflow(erasure_database, erasure_tokens) as workflow:
        yield workflow


def _erase(workflow: Workflow, code: str, secret: str) -> dict[str, Any]:
    response = workflow.server.post(ERASE, {"input": {"trackingCode": code, "secret": secret}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["erasePetitionerData"]  # type: ignore[no-any-return]


def _answered_business_petition(workflow: Workflow) -> tuple[dict[str, Any], str, dict[str, str]]:
    person = business_petitioner()
    submitted = workflow.submit(
        **submission(channel="BUSINESS", petitioner=person, idempotencyKey=_letters(20))
    )
    petition, secret = submitted["petition"], submitted["secret"]
    petition = workflow.act(
        "assign", workflow.tokens.coordinator, petition, agencyCode="BTC", fieldCode="DAT_DAI"
    )
    petition = workflow.step("acknowledge", petition, secret)
    petition = workflow.act("progress", workflow.tokens.btc, petition, note="Đang xác minh hồ sơ.")
    return workflow.step("answer", petition, secret), secret, person


def _stats(workflow: Workflow) -> dict[str, Any]:
    return workflow.server.gql(STATS)["stats"]


def _sealed(workflow: Workflow, petition: dict[str, Any]) -> bool:
    """Every answer of `petition` verifies under its agency's published key (the seal
    covers the body, or its SHA-256)."""
    from app.domain.signing import verify_answer

    for answer in petition["answers"]:
        keys = workflow.server.gql(KEYS, {"c": answer["agency"]["code"]})["agency"]["publicKeys"]
        key = next(k["publicKey"] for k in keys if k["keyId"] == answer["keyId"])
        answered_at = to_local(datetime.fromisoformat(answer["answeredAt"]))
        sealed = (key, answer["signature"], petition["trackingCode"], answer["agency"]["code"])
        body = answer["body"]
        digest = hashlib.sha256(body.encode()).hexdigest()
        ok = verify_answer(*sealed, body, answered_at) or verify_answer(
            *sealed, body, answered_at, version=2, digest=digest
        )
        if not ok:
            return False
    return True


def _without_history(petition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in petition.items() if k not in ("events", "contactErasedAt")}


def test_the_petitioner_erases_their_contact_data(driven: Workflow, erasure_database: str) -> None:
    petition, secret, person = _answered_business_petition(driven)
    code = petition["trackingCode"]
    values = list(person.values())
    assert len(places_holding(erasure_database, values)) >= len(values)  # the search finds them
    before_public = driven.server.gql(PUBLIC, {"c": code})["petition"]
    before_stats = _stats(driven)
    assert before_public["contactErasedAt"] is None

    payload = _erase(driven, code, secret)

    assert payload["userErrors"] == []
    erased = payload["petition"]
    assert erased["petitioner"] is None
    assert erased["contactErasedAt"] is not None
    assert (erased["status"], erased["version"]) == ("ANSWERED", petition["version"])
    last = erased["events"]["edges"][-1]["node"]
    assert last == {
        "action": "CONTACT_ERASED",
        "fromStatus": "ANSWERED",
        "toStatus": "ANSWERED",
        "actorRole": "PETITIONER",
        "note": None,
        "agency": {"code": "BTC"},
    }
    # SQLite: the server checkpointed after the erasure, so the bytes are gone from the
    # file and from its log without the test's own checkpoint
    assert places_holding(erasure_database, values, checkpoint=False) == []

    # the public record, the statistics and the seals are as they were; the event is public
    after_public = driven.server.gql(PUBLIC, {"c": code})["petition"]
    assert _without_history(after_public) == _without_history(before_public)
    assert after_public["contactErasedAt"] == erased["contactErasedAt"]
    public_actions = [e["node"]["action"] for e in after_public["events"]["edges"]]
    assert public_actions[-1] == "CONTACT_ERASED"
    assert _stats(driven) == before_stats
    assert _sealed(driven, after_public)
    for command in (("audit", "verify"), ("stats", "verify")):
        done = pakn(*command, database_url=erasure_database, environment=_cli_environment())
        assert done.returncode == 0, done.stdout + done.stderr

    # the petitioner's view: contact erased, the secret still works
    mine = driven.server.gql(FOR_PETITIONER, {"c": code, "s": secret})["petitionForPetitioner"]
    assert mine["petitioner"] is None
    assert mine["contactErasedAt"] == erased["contactErasedAt"]
    followed = driven.act("follow_up", None, after_public, secret=secret, body=FOLLOW_UP_TEXT)
    assert followed["status"] == "IN_PROGRESS"
    answered = driven.act("answer", driven.tokens.btc, followed, body=ANSWER_TEXT)
    closed = driven.act("rate", None, answered, secret=secret, score=4)
    assert closed["status"] == "CLOSED"
    assert _sealed(driven, driven.server.gql(PUBLIC, {"c": code})["petition"])
    assert places_holding(erasure_database, values) == []


def _cli_environment() -> dict[str, str]:
    return {**os.environ, **CLI_ENVIRONMENT}


def test_erasing_twice_is_refused_with_already_erased_and_writes_nothing(
    driven: Workflow,
) -> None:
    submitted = driven.submit()
    code, secret = submitted["trackingCode"], submitted["secret"]
    first = _erase(driven, code, secret)
    assert first["userErrors"] == []
    events = first["petition"]["events"]["totalCount"]
    again = _erase(driven, code, secret)
    assert again["petition"] is None
    assert [(e["code"], e["field"]) for e in again["userErrors"]] == [
        ("ALREADY_ERASED", ["input", "trackingCode"])
    ]
    assert driven.public_view(code)["events"]["totalCount"] == events


def test_a_wrong_secret_or_an_unknown_code_is_refused_as_every_petitioner_action_is(
    driven: Workflow,
) -> None:
    submitted = driven.submit()
    code = submitted["trackingCode"]
    wrong = _erase(driven, code, "not-the-secret")
    unknown = _erase(driven, "PAKN-2026-999999", submitted["secret"])
    rated = driven.attempt("rate", None, submitted["petition"], secret="not-the-secret", score=5)
    assert wrong == unknown == {"petition": None, "userErrors": rated["userErrors"]}
    assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_SECRET"]
    mine = driven.server.gql(FOR_PETITIONER, {"c": code, "s": submitted["secret"]})
    assert mine["petitionForPetitioner"]["petitioner"]["fullName"]


def test_erasure_is_refused_over_get(driven: Workflow) -> None:
    submitted = driven.submit()
    document = (
        f'mutation {{ erasePetitionerData(input: {{trackingCode: "{submitted["trackingCode"]}", '
        f'secret: "{submitted["secret"]}"}}) {{ userErrors {{ code }} }} }}'
    )
    refused = driven.server.client.get("/graphql", params={"query": document})
    assert refused.status_code in (400, 405)
    assert refused.json()["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "SECRET_OVER_GET")
    mine = driven.server.gql(
        FOR_PETITIONER, {"c": submitted["trackingCode"], "s": submitted["secret"]}
    )
    assert mine["petitionForPetitioner"]["contactErasedAt"] is None


def test_erasure_is_held_to_the_read_rate(erasure_database: str, erasure_tokens: Tokens) -> None:
    guess = {"input": {"trackingCode": "PAKN-2026-000001", "secret": "a guess"}}
    with serving_workflow(erasure_database, erasure_tokens, read_rate=3) as workflow:
        responses = [workflow.server.post(ERASE, guess) for _ in range(5)]
    assert responses[0].status_code == 200
    assert responses[-1].status_code == 429
    assert responses[-1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_the_fuzzer_reaches_the_erasure() -> None:
    """tests/api/test_fuzz.py draws its mutations from every root field of the committed
    SDL (`documents` with no `fields`): erasePetitionerData is one, and its documents are
    drawn with the seeded petitioners' codes and secrets."""
    assert "erasePetitionerData" in committed_schema().mutation_type.fields  # type: ignore[union-attr]
    seeds = Seeds(tracking_codes=["PAKN-2026-000001"], secrets=["s3cret-of-a-petitioner"])
    found = find(
        documents(seeds, "mutation", fields=("erasePetitionerData",)),
        lambda node: "s3cret-of-a-petitioner" in graphql.print_ast(node),
        settings=settings(database=None, max_examples=500, suppress_health_check=list(HealthCheck)),
    )
    assert "erasePetitionerData" in graphql.print_ast(found)
