"""The five writes of one petition's life over GraphQL, timed: the write benchmarks'
unit (bench/outbox_cost.py, bench/log_cost.py)."""

from __future__ import annotations

import time
from typing import Any

from tests.support.workflow import ANSWER_TEXT, Workflow

ACTIONS = ("submit", "assign", "acknowledge", "progress", "answer")


def one_petition(
    workflow: Workflow, times: dict[str, list[float]], petitioner: dict[str, Any] | None = None
) -> None:
    """submitPetition (by `petitioner`, if given), assignPetition, acknowledgePetition,
    postProgressUpdate, answerPetition; each write's seconds appended to `times`."""
    tokens = workflow.tokens
    started = time.perf_counter()
    submitted = workflow.submit(**({"petitioner": petitioner} if petitioner else {}))
    times["submit"].append(time.perf_counter() - started)
    petition = submitted["petition"]
    for name, token, extra in (
        ("assign", tokens.coordinator, {"agencyCode": "BTC", "fieldCode": "DAT_DAI"}),
        ("acknowledge", tokens.btc, {}),
        ("progress", tokens.btc, {"note": "Sở đang xác minh hồ sơ."}),
        ("answer", tokens.btc, {"body": ANSWER_TEXT}),
    ):
        started = time.perf_counter()
        petition = workflow.act(name, token, petition, **extra)
        times[name].append(time.perf_counter() - started)
