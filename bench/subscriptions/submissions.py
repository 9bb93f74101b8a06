"""The submissions that make the events the subscribers receive."""

from __future__ import annotations

import copy
import time
from typing import Any

import httpx

from tests.support.sample import SUBMISSION

SUBMIT = (
    "mutation($input: SubmitPetitionInput!) { submitPetition(input: $input) "
    "{ trackingCode userErrors { field code message } } }"
)


def submission_input() -> dict[str, Any]:
    """A valid public submission (the tests' sample); no token needed."""
    return copy.deepcopy(SUBMISSION)


def submit(client: httpx.Client, url: str) -> tuple[str, float, float]:
    """One submission: (tracking code, sent at, response arrived at), monotonic seconds."""
    sent = time.monotonic()
    response = client.post(
        f"{url}/graphql", json={"query": SUBMIT, "variables": {"input": submission_input()}}
    )
    arrived = time.monotonic()
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"submitPetition failed: {body['errors']}")
    payload = body["data"]["submitPetition"]
    if payload["userErrors"]:
        raise RuntimeError(f"submitPetition refused: {payload['userErrors']}")
    return payload["trackingCode"], sent, arrived


def warm_up_workers(url: str, count: int = 10) -> None:
    """A few submissions over fresh connections, so that both workers have run a mutation."""
    for _ in range(count):
        with httpx.Client(timeout=30) as client:
            submit(client, url)
