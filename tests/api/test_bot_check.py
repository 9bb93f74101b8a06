"""The bot check over the API (#18, point 4): with PAKN_SUBMIT_POW=1 a submission needs a
solved challenge from Query.submitChallenge (never cached), each solution is good once,
across two servers on one database too, for 10 minutes; a refused submission stores
nothing. Without the switch a submission needs none, but one it carries must hold."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from app.domain.timezone import now
from app.services.bot_check import new_challenge
from tests.support.bot_check import solve
from tests.support.server import RunningServer
from tests.support.workflow import SUBMIT, submission, workflow_settings

CHALLENGE = "{ submitChallenge }"
DIFFICULTY = 2000


def _submit(server: RunningServer, solution: str | None, **fields: str) -> dict[str, object]:
    title = f"Thủ tục cấp phép xây dựng bị kéo dài {uuid.uuid4().hex[:8]}"
    data = submission(title=title, challengeSolution=solution, **fields)
    response = server.post(SUBMIT, {"input": data})
    assert response.status_code == 200, response.text
    return response.json()["data"]["submitPetition"]  # type: ignore[no-any-return]


def _codes(payload: dict[str, object]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]  # type: ignore[attr-defined, index]


def _count(server: RunningServer) -> int:
    return int(server.gql("{ petitions { totalCount } }")["petitions"]["totalCount"])


@pytest.fixture
def guarded(empty_database: str) -> object:
    settings = workflow_settings(empty_database, submit_pow=True, pow_max_number=DIFFICULTY)
    with RunningServer(settings) as server:
        yield server


def test_a_challenge_is_new_on_every_call_and_never_cached(guarded: RunningServer) -> None:
    first = guarded.client.get("/graphql", params={"query": CHALLENGE})
    second = guarded.client.get("/graphql", params={"query": CHALLENGE})
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-store"
    assert first.json()["data"]["submitChallenge"] != second.json()["data"]["submitChallenge"]
    assert '"maxNumber":2000' in first.json()["data"]["submitChallenge"]


def test_a_submission_needs_a_solution_that_holds_and_is_new(guarded: RunningServer) -> None:
    assert _codes(_submit(guarded, None)) == ["CHALLENGE_REQUIRED"]
    assert _codes(_submit(guarded, "bm90IGEgc29sdXRpb24=")) == ["CHALLENGE_INVALID"]
    assert _codes(_submit(guarded, "x" * 3000)) == ["CHALLENGE_INVALID"]
    assert _count(guarded) == 0, "a refused submission stores nothing"

    solution = solve(guarded.gql(CHALLENGE)["submitChallenge"])
    key = uuid.uuid4().hex
    filed = _submit(guarded, solution, idempotencyKey=key)
    assert filed["userErrors"] == [] and filed["trackingCode"]
    again = _submit(guarded, solution)
    assert _codes(again) == ["CHALLENGE_USED"]
    assert again["userErrors"][0]["field"] == ["input", "challengeSolution"]  # type: ignore[index]
    assert _count(guarded) == 1


def test_a_solution_older_than_ten_minutes_is_refused(guarded: RunningServer) -> None:
    key, most = guarded.settings.secret_key, DIFFICULTY
    stale = new_challenge(key, now() - timedelta(minutes=10, seconds=1), most)
    assert _codes(_submit(guarded, solve(stale))) == ["CHALLENGE_EXPIRED"]
    fresh = new_challenge(key, now() - timedelta(minutes=9), most)
    assert _submit(guarded, solve(fresh))["userErrors"] == []


def test_one_solution_sent_to_two_servers_at_once_files_one_petition(
    empty_database: str,
) -> None:
    settings = workflow_settings(empty_database, submit_pow=True, pow_max_number=DIFFICULTY)
    with RunningServer(settings) as one, RunningServer(settings) as other:
        for _ in range(3):
            solution = solve(one.gql(CHALLENGE)["submitChallenge"])
            with ThreadPoolExecutor(2) as pool:
                results = list(pool.map(lambda s, p=solution: _submit(s, p), (one, other)))
            assert sorted(_codes(r) for r in results) == [[], ["CHALLENGE_USED"]]
        assert _count(one) == 3


def test_without_the_switch_none_is_needed_but_one_sent_must_hold(empty_database: str) -> None:
    settings = workflow_settings(empty_database, pow_max_number=DIFFICULTY)
    with RunningServer(settings) as server:
        assert _submit(server, None)["userErrors"] == []
        assert _codes(_submit(server, "garbage")) == ["CHALLENGE_INVALID"]
        solution = solve(server.gql(CHALLENGE)["submitChallenge"])
        assert _submit(server, solution)["userErrors"] == []
