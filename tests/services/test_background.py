"""The background runner (#14, point 4): jobs run on their interval, a failing job is
logged and tried again without ending the runner, a stop ends a run at its next
transaction; in a server, the runner purges contact data on both databases."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.retention import contact_due_for_erasure
from app.domain.timezone import now
from app.services.background import BackgroundRunner, Job, Lease
from app.services.jobs import CONTACT_PURGE
from db.engine import is_sqlite
from db.leadership import SoleLeader
from tests.support.databases import prepared_database
from tests.support.demo import load_demo
from tests.support.erasure import (
    contact_values_only_of,
    erasure_events,
    places_holding,
    read_petitions,
)
from tests.support.server import RunningServer
from tests.support.workflow import workflow_settings

RETENTION_DAYS = 120


async def _until(condition: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.01)


async def test_a_failing_job_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    async def flaky(lease: Lease) -> str:
        calls.append(lease.held)
        if len(calls) == 1:
            raise RuntimeError("the first run fails")
        return "done"

    runner = BackgroundRunner([Job("flaky", 0.01, flaky)], SoleLeader)
    with caplog.at_level(logging.ERROR, logger="pakn.background"):
        runner.start()
        await _until(lambda: runner.state["flaky"].runs >= 2)
        await runner.stop()
    state = runner.state["flaky"]
    assert state.failures == 1 and state.last_result == "done"
    assert calls[0] is True
    assert "background job flaky failed" in caplog.text


async def test_stopping_ends_a_run_at_its_next_transaction() -> None:
    batches = []
    started = asyncio.Event()

    async def long(lease: Lease) -> None:
        while lease.held:
            batches.append(len(batches))
            started.set()
            await asyncio.sleep(0.01)

    runner = BackgroundRunner([Job("long", 3600, long)], SoleLeader)
    runner.start()
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.wait_for(runner.stop(), 10)
    done = len(batches)
    await asyncio.sleep(0.05)
    assert len(batches) == done and runner.state["long"].failures == 0


@pytest.fixture
def demo_to_purge(backend: str, tmp_path: Path) -> Iterator[str]:
    with prepared_database(backend, tmp_path) as url:
        asyncio.run(load_demo(url, 60, 5, prepare=False))
        yield url


def test_the_servers_runner_purges_the_contact_data_due(demo_to_purge: str) -> None:
    before = asyncio.run(read_petitions(demo_to_purge))
    moment = now()
    due = {
        i
        for i, p in before.items()
        if contact_due_for_erasure(p.status, p.last_event_at, moment, RETENTION_DAYS)
    }
    assert due
    only_theirs = asyncio.run(contact_values_only_of(demo_to_purge, due))
    assert only_theirs
    settings = workflow_settings(
        demo_to_purge, contact_retention_days=RETENTION_DAYS, purge_interval_seconds=0.2
    )
    with RunningServer(settings, background=True) as server:
        runner = server.starlette.state.background.runner
        deadline = time.monotonic() + 30
        while runner.state[CONTACT_PURGE].runs < 2:
            assert time.monotonic() < deadline, runner.state
            time.sleep(0.05)
        assert runner.state[CONTACT_PURGE].failures == 0
        if is_sqlite(demo_to_purge):  # the run that erased checkpointed: not in the log
            assert places_holding(demo_to_purge, only_theirs, checkpoint=False) == []
    after = asyncio.run(read_petitions(demo_to_purge))
    assert {i for i, p in after.items() if not p.has_contact} == due
    events = asyncio.run(erasure_events(demo_to_purge))
    assert sorted(e[0] for e in events) == sorted(due)
    assert {e[1] for e in events} == {"SYSTEM"}
