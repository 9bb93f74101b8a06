"""The submissions that make the events the subscribers receive."""

from __future__ import annotations

import time
from typing import Any

import httpx

SUBMIT = (
    "mutation($input: SubmitPetitionInput!) { submitPetition(input: $input) "
    "{ trackingCode userErrors { field code message } } }"
)


def submission_input() -> dict[str, Any]:
    """A valid public submission (as in tests/support/workflow.py); no token needed."""
    return {
        "channel": "CITIZEN",
        "kind": "REFLECTION",
        "subject": "ADMINISTRATIVE_PROCEDURE",
        "title": "Thủ tục cấp giấy chứng nhận quyền sử dụng đất quá chậm",
        "body": "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ ba tháng trước "
        "nhưng đến nay vẫn chưa có kết quả, cán bộ không giải thích lý do.",
        "fieldCode": "DAT_DAI",
        "provinceCode": "01",
        "petitioner": {
            "fullName": "Nguyễn Thị Hoa",
            "email": "hoa.nguyen@example.vn",
            "phone": "0912345678",
            "address": "12 Phố Huế, Hà Nội",
        },
    }


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
