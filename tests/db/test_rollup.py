"""The statistics rollup stays exact through every kind of write, statistics read from it
agree with the public list, and `pakn stats verify|rebuild` find and repair drift."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from db import rollup
from db.engine import open_engine
from db.models import StatsRollup
from tests.support.cli import pakn
from tests.support.stats_reader import check_against_reader
from tests.support.workflow import ANSWER_TEXT, FOLLOW_UP_TEXT, Workflow


async def _differences(url: str) -> list[rollup.Difference]:
    async with open_engine(url) as engine, engine.connect() as conn:
        return await rollup.differences(conn)


def _drive_every_action(workflow: Workflow) -> None:
    tokens = workflow.tokens
    workflow.submit(fieldCode="THUE", provinceCode="79")

    rejected = workflow.submit()["petition"]
    workflow.act("reject", tokens.coordinator, rejected, reason="OUT_OF_SCOPE")

    moved, _ = workflow.assigned("BTC")
    moved = workflow.act(
        "request_transfer", tokens.btc, moved, note="Nội dung thuộc thẩm quyền của Bộ Y tế."
    )
    moved = workflow.act("transfer", tokens.coordinator, moved, agencyCode="BYT")
    workflow.act("escalate", tokens.coordinator, moved, reason="GOVERNMENT_AUTHORITY")

    rated, secret = workflow.answered()
    workflow.act("rate", None, rated, secret=secret, score=2)

    followed, secret = workflow.answered()
    for _ in range(3):
        followed = workflow.act("follow_up", None, followed, secret=secret, body=FOLLOW_UP_TEXT)
        if followed["status"] == "ESCALATED":
            break
        followed = workflow.act("answer", tokens.btc, followed, body=ANSWER_TEXT)

    progressing, _ = workflow.in_progress()
    progressing = workflow.act(
        "progress", tokens.btc, progressing, note="Đang phối hợp với Sở Tài nguyên và Môi trường."
    )
    progressing = workflow.act(
        "feature", tokens.coordinator, progressing, note="Kiến nghị hữu ích."
    )
    # urged (urgeCount > 0) is counted, and goes along with a transfer
    urged = workflow.act("urge", tokens.coordinator, progressing, note="Đề nghị trả lời sớm.")
    workflow.act("transfer", tokens.coordinator, urged, agencyCode="BYT")


def test_every_kind_of_write_keeps_the_rollup_exact(
    workflow: Workflow, lifecycle_database: str
) -> None:
    _drive_every_action(workflow)
    assert asyncio.run(_differences(lifecycle_database)) == []
    for stats_filter in ({}, {"agencyCodes": ["BTC", "BYT"]}, {"provinceCodes": ["79"]}):
        check_against_reader(workflow.server, stats_filter)


async def _corrupt(url: str) -> None:
    async with open_engine(url) as engine, engine.begin() as conn:
        await conn.execute(
            update(StatsRollup)
            .where(StatsRollup.dimension == "all", StatsRollup.grain == "M")
            .values(received=StatsRollup.received + 7)
        )


def test_stats_verify_finds_drift_and_rebuild_repairs_it(
    workflow: Workflow, lifecycle_database: str
) -> None:
    workflow.submit()
    intact = pakn("stats", "verify", database_url=lifecycle_database)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "matches the petitions" in intact.stdout

    asyncio.run(_corrupt(lifecycle_database))
    drifted = pakn("stats", "verify", database_url=lifecycle_database)
    assert drifted.returncode == 1
    assert "petition_stats_rollup" in drifted.stdout and "pakn stats rebuild" in drifted.stdout

    rebuilt = pakn("stats", "rebuild", database_url=lifecycle_database)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert asyncio.run(_differences(lifecycle_database)) == []
