"""Safety of writes: races, rate limits, the audit chain, tokens and key rotation."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import update

from app.settings import Settings
from db.engine import open_engine
from db.models import PetitionEvent
from tests.support.cli import pakn
from tests.support.server import RunningServer
from tests.support.workflow import (
    ANSWER_TEXT,
    SUBMIT,
    Workflow,
    action_body,
    bearer,
    count_events,
    submission,
)


def test_two_racing_answers_exactly_one_wins(workflow: Workflow, lifecycle_database: str) -> None:
    petition, _ = workflow.in_progress()
    before = count_events(lifecycle_database)
    body = action_body("answer", petition, body=ANSWER_TEXT)
    headers = bearer(workflow.tokens.btc)

    def answer(_: int) -> dict[str, Any]:
        with httpx.Client(base_url=workflow.server.url, timeout=30) as client:
            response = client.post("/graphql", json=body, headers=headers)
        return response.json()["data"]["answerPetition"]  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(answer, range(4)))
    winners = [r for r in results if r["petition"] is not None]
    losers = [r for r in results if r["petition"] is None]
    assert len(winners) == 1
    assert all(
        r["userErrors"][0]["code"] in {"STALE_VERSION", "INVALID_TRANSITION"} for r in losers
    )
    assert len(winners[0]["petition"]["answers"]) == 1
    assert count_events(lifecycle_database) == before + 1
    final = workflow.public_view(petition["trackingCode"])
    assert len(final["answers"]) == 1 and final["version"] == petition["version"] + 1


def test_submissions_per_address_are_limited(empty_database: str) -> None:
    settings = Settings(database_url=empty_database, submissions_per_hour=3, secret_key="k")
    with RunningServer(settings) as server:
        codes = []
        for _ in range(4):
            payload = server.post(SUBMIT, {"input": submission()}).json()["data"]["submitPetition"]
            codes.append([e["code"] for e in payload["userErrors"]])
        assert codes == [[], [], [], ["RATE_LIMITED"]]
    assert count_events(empty_database) == 3


async def _tamper(url: str, event_id: int) -> None:
    async with open_engine(url) as engine, engine.begin() as connection:
        await connection.execute(
            update(PetitionEvent).where(PetitionEvent.id == event_id).values(note="đã sửa")
        )


def test_audit_verify_finds_the_first_tampered_event(empty_database: str) -> None:
    with RunningServer(Settings(database_url=empty_database, secret_key="k")) as server:
        for _ in range(3):
            server.post(SUBMIT, {"input": submission()})
    intact = pakn("audit", "verify", database_url=empty_database)
    assert intact.returncode == 0 and "intact (3 events)" in intact.stdout
    asyncio.run(_tamper(empty_database, 2))
    broken = pakn("audit", "verify", database_url=empty_database)
    assert broken.returncode == 1
    assert "broken at event 2" in broken.stdout


def test_token_commands(empty_database: str) -> None:
    created = pakn(
        *("token", "create", "--role", "AGENCY_OFFICER", "--agency", "btc", "--label", "Tổ PAKN"),
        database_url=empty_database,
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("pakn_") and "\n" not in token
    listed = pakn("token", "list", database_url=empty_database)
    assert "AGENCY_OFFICER\tBTC\tactive" in listed.stdout and token not in listed.stdout
    refused = pakn("token", "create", "--role", "AGENCY_OFFICER", database_url=empty_database)
    assert refused.returncode == 2 and refused.stdout == ""

    with RunningServer(Settings(database_url=empty_database, secret_key="k")) as server:
        workflow = Workflow(server)
        petition = workflow.submit()["petition"]
        first = workflow.attempt("acknowledge", token, petition)
        assert first["userErrors"][0]["code"] == "WRONG_AGENCY"
        token_id = listed.stdout.split("\t")[0]
        assert pakn("token", "revoke", token_id, database_url=empty_database).returncode == 0
        assert workflow.refusal("acknowledge", token, petition)[0] == "UNAUTHENTICATED"


def test_rotated_keys_still_verify_old_answers(workflow: Workflow, lifecycle_database: str) -> None:
    old, _ = workflow.answered()
    rotated = pakn("keys", "rotate", "--agency", "BTC", database_url=lifecycle_database)
    assert rotated.returncode == 0, rotated.stderr
    new, _ = workflow.answered()
    keys = workflow.server.gql('{ agency(code: "BTC") { publicKeys { keyId retiredAt } } }')[
        "agency"
    ]["publicKeys"]
    by_id = {k["keyId"]: k for k in keys}
    assert by_id[rotated.stdout.strip()]["retiredAt"] is None
    assert by_id[old["answers"][0]["keyId"]]["retiredAt"] is not None
    assert new["answers"][0]["keyId"] == rotated.stdout.strip()
