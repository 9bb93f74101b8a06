"""Safety of writes: races, rate limits, the audit chain, tokens and key rotation."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import update

from app.settings import Settings
from db.engine import create_engine
from db.models import PetitionEvent
from tests.support.server import RunningServer
from tests.support.workflow import (
    ANSWER_TEXT,
    MUTATIONS,
    SUBMIT,
    Workflow,
    count_events,
    submission,
)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAKN_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env
    )


def test_two_racing_answers_exactly_one_wins(workflow: Workflow, lifecycle_database: str) -> None:
    petition, _ = workflow.in_progress()
    before = count_events(lifecycle_database)
    variables = {
        "input": {
            "petitionId": petition["id"],
            "body": ANSWER_TEXT,
            "expectedVersion": petition["version"],
        }
    }
    headers = {"authorization": f"Bearer {workflow.tokens.btc}"}

    def answer(_: int) -> dict:  # type: ignore[type-arg]
        with httpx.Client(base_url=workflow.server.url, timeout=30) as client:
            response = client.post(
                "/graphql",
                json={"query": MUTATIONS["answer"], "variables": variables},
                headers=headers,
            )
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
    server = RunningServer(
        Settings(database_url=empty_database, submissions_per_hour=3, secret_key="k")
    ).start()
    try:
        codes = []
        for _ in range(4):
            payload = server.post(SUBMIT, {"input": submission()}).json()["data"]["submitPetition"]
            codes.append([e["code"] for e in payload["userErrors"]])
        assert codes == [[], [], [], ["RATE_LIMITED"]]
    finally:
        server.stop()
    assert count_events(empty_database) == 3


async def _tamper(url: str, event_id: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                update(PetitionEvent).where(PetitionEvent.id == event_id).values(note="đã sửa")
            )
    finally:
        await engine.dispose()


def test_audit_verify_finds_the_first_tampered_event(empty_database: str) -> None:
    server = RunningServer(Settings(database_url=empty_database, secret_key="k")).start()
    try:
        for _ in range(3):
            server.post(SUBMIT, {"input": submission()})
    finally:
        server.stop()
    intact = _cli(empty_database, "audit", "verify")
    assert intact.returncode == 0 and "intact (3 events)" in intact.stdout
    asyncio.run(_tamper(empty_database, 2))
    broken = _cli(empty_database, "audit", "verify")
    assert broken.returncode == 1
    assert "broken at event 2" in broken.stdout


def test_token_commands(empty_database: str) -> None:
    created = _cli(
        empty_database,
        "token",
        "create",
        "--role",
        "AGENCY_OFFICER",
        "--agency",
        "btc",
        "--label",
        "Tổ PAKN",
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("pakn_") and "\n" not in token
    listed = _cli(empty_database, "token", "list")
    assert "AGENCY_OFFICER\tBTC\tactive" in listed.stdout and token not in listed.stdout
    refused = _cli(empty_database, "token", "create", "--role", "AGENCY_OFFICER")
    assert refused.returncode == 2 and refused.stdout == ""

    server = RunningServer(Settings(database_url=empty_database, secret_key="k")).start()
    try:
        payload = server.post(SUBMIT, {"input": submission()}).json()["data"]["submitPetition"]
        query = MUTATIONS["acknowledge"]
        variables = {"input": {"petitionId": payload["petition"]["id"], "expectedVersion": 1}}
        headers = {"authorization": f"Bearer {token}"}
        first = server.post(query, variables, headers=headers).json()
        assert first["data"]["acknowledgePetition"]["userErrors"][0]["code"] == "WRONG_AGENCY"
        token_id = listed.stdout.split("\t")[0]
        assert _cli(empty_database, "token", "revoke", token_id).returncode == 0
        after = server.post(query, variables, headers=headers).json()
        assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        server.stop()


def test_rotated_keys_still_verify_old_answers(workflow: Workflow, lifecycle_database: str) -> None:
    old, _ = workflow.answered()
    rotated = _cli(lifecycle_database, "keys", "rotate", "--agency", "BTC")
    assert rotated.returncode == 0, rotated.stderr
    new, _ = workflow.answered()
    keys = workflow.server.gql('{ agency(code: "BTC") { publicKeys { keyId retiredAt } } }')[
        "agency"
    ]["publicKeys"]
    by_id = {k["keyId"]: k for k in keys}
    assert by_id[rotated.stdout.strip()]["retiredAt"] is None
    assert by_id[old["answers"][0]["keyId"]]["retiredAt"] is not None
    assert new["answers"][0]["keyId"] == rotated.stdout.strip()
