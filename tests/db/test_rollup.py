"""The statistics rollup stays exact through every kind of write, statistics read from it
agree with the public list, and `pakn stats verify|rebuild` find and repair drift."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import update

from db import rollup
from db.engine import create_engine
from db.models import StatsRollup
from tests.api.test_stats import check_against_reader
from tests.support.workflow import ANSWER_TEXT, Workflow

FOLLOW_UP = "Vấn đề vẫn chưa được giải quyết, đề nghị xem xét lại."


async def _differences(url: str) -> list[rollup.Difference]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await rollup.differences(conn)
    finally:
        await engine.dispose()


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAKN_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env
    )


def _drive_every_action(workflow: Workflow) -> None:
    tokens = workflow.tokens
    workflow.submit(fieldCode="THUE", provinceCode="79")

    rejected = workflow.submit()["petition"]
    workflow.ok(
        "reject",
        tokens.coordinator,
        petitionId=rejected["id"],
        reason="OUT_OF_SCOPE",
        expectedVersion=rejected["version"],
    )

    moved, _ = workflow.assigned("BTC")
    moved = workflow.ok(
        "request_transfer",
        tokens.btc,
        petitionId=moved["id"],
        note="Nội dung thuộc thẩm quyền của Bộ Y tế.",
        expectedVersion=moved["version"],
    )
    moved = workflow.ok(
        "transfer",
        tokens.coordinator,
        petitionId=moved["id"],
        agencyCode="BYT",
        expectedVersion=moved["version"],
    )
    workflow.ok(
        "escalate",
        tokens.coordinator,
        petitionId=moved["id"],
        reason="GOVERNMENT_AUTHORITY",
        expectedVersion=moved["version"],
    )

    rated, secret = workflow.answered()
    workflow.ok("rate", None, trackingCode=rated["trackingCode"], secret=secret, score=2)

    followed, secret = workflow.answered()
    for _ in range(3):
        followed = workflow.ok(
            "follow_up", None, trackingCode=followed["trackingCode"], secret=secret, body=FOLLOW_UP
        )
        if followed["status"] == "ESCALATED":
            break
        followed = workflow.ok(
            "answer",
            tokens.btc,
            petitionId=followed["id"],
            body=ANSWER_TEXT,
            expectedVersion=followed["version"],
        )

    progressing, _ = workflow.in_progress()
    progressing = workflow.ok(
        "progress",
        tokens.btc,
        petitionId=progressing["id"],
        note="Đang phối hợp với Sở Tài nguyên và Môi trường.",
        expectedVersion=progressing["version"],
    )
    workflow.ok(
        "feature",
        tokens.coordinator,
        petitionId=progressing["id"],
        note="Kiến nghị hữu ích.",
        expectedVersion=progressing["version"],
    )


def test_every_kind_of_write_keeps_the_rollup_exact(
    workflow: Workflow, lifecycle_database: str
) -> None:
    _drive_every_action(workflow)
    assert asyncio.run(_differences(lifecycle_database)) == []
    for stats_filter in ({}, {"agencyCodes": ["BTC", "BYT"]}, {"provinceCodes": ["79"]}):
        check_against_reader(workflow.server, stats_filter)


async def _corrupt(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(StatsRollup)
                .where(StatsRollup.dimension == "all", StatsRollup.grain == "M")
                .values(received=StatsRollup.received + 7)
            )
    finally:
        await engine.dispose()


def test_stats_verify_finds_drift_and_rebuild_repairs_it(
    workflow: Workflow, lifecycle_database: str
) -> None:
    workflow.submit()
    intact = _cli(lifecycle_database, "stats", "verify")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "matches the petitions" in intact.stdout

    asyncio.run(_corrupt(lifecycle_database))
    drifted = _cli(lifecycle_database, "stats", "verify")
    assert drifted.returncode == 1
    assert "petition_stats_rollup" in drifted.stdout and "pakn stats rebuild" in drifted.stdout

    rebuilt = _cli(lifecycle_database, "stats", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert asyncio.run(_differences(lifecycle_database)) == []
