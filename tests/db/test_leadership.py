"""One leader per background job (#14, point 4). On PostgreSQL two runners on one database
(each with connections of its own, as two hosts would be): only one runs the job, at no
moment both; when the leader's connection dies (pg_terminate_backend) the other takes over,
and the old leader, trying again, stays out; a runner that stops hands the lead on. On
SQLite the single worker's runner leads and runs the job."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.services.background import BackgroundRunner, Job, Lease
from app.services.jobs import CONTACT_PURGE
from db.leadership import (
    APPLICATION_NAME,
    JOB_LOCK_CLASS,
    AdvisoryLeadership,
    SoleLeader,
    job_lock_key,
    leadership_for,
)
from tests.support.cli import pakn_serve

NAME = "test-job"


async def _until(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.01)


class Exclusive:
    """The job: records who ran it and that no two runs ever overlapped."""

    def __init__(self) -> None:
        self.active = 0
        self.most = 0
        self.runs: list[str] = []

    def job(self, who: str, interval: float) -> Job:
        async def run(lease: Lease) -> None:
            self.active += 1
            self.most = max(self.most, self.active)
            try:
                assert lease.held
                self.runs.append(who)
                await asyncio.sleep(0.02)
            finally:
                self.active -= 1

        return Job(NAME, interval, run)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _lock_holders(url: str, name: str = NAME) -> list[int]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 2",
            JOB_LOCK_CLASS,
            job_lock_key(name) % 2**32,
        )
        return [row["pid"] for row in rows]
    finally:
        await connection.close()


async def _terminate(url: str, pid: int) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        assert await connection.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()


async def test_one_leader_at_a_time_and_a_takeover(backend: str, empty_database: str) -> None:
    url = empty_database
    shared = Exclusive()
    if backend == "sqlite":
        runner = BackgroundRunner([shared.job("only", 0.01)], leadership_for(url))
        assert isinstance(runner.leader(NAME), SoleLeader)
        runner.start()
        await _until(lambda: len(shared.runs) >= 3)
        await runner.stop()
        assert runner.state[NAME].failures == 0
        return

    # the first leads from its start; it then waits long, while the second tries often
    first = BackgroundRunner([shared.job("first", 3600)], leadership_for(url))
    second = BackgroundRunner([shared.job("second", 0.02)], leadership_for(url))
    first.start()
    try:
        await _until(lambda: shared.runs == ["first"])
        second.start()
        await _until(lambda: second.state[NAME].tries >= 10)
        assert shared.runs == ["first"] and second.state[NAME].runs == 0
        leader = first.leader(NAME)
        assert isinstance(leader, AdvisoryLeadership) and leader.backend_pid is not None
        assert await _lock_holders(url) == [leader.backend_pid]

        await _terminate(url, leader.backend_pid)
        await _until(lambda: "second" in shared.runs)
        await _until(lambda: not leader.held)
        tries = first.state[NAME].tries
        first.run_soon(NAME)  # the old leader tries again at once: the lock is taken
        await _until(lambda: first.state[NAME].tries > tries)
        assert shared.runs.count("first") == 1
        new_leader = second.leader(NAME)
        assert isinstance(new_leader, AdvisoryLeadership)
        assert await _lock_holders(url) == [new_leader.backend_pid]

        await second.stop()  # a clean stop hands the lead on
        first.run_soon(NAME)
        await _until(lambda: shared.runs.count("first") == 2)
    finally:
        await second.stop()
        await first.stop()
    assert shared.most == 1
    assert first.state[NAME].failures == second.state[NAME].failures == 0
    assert await _lock_holders(url) == []


async def _leader_connections(url: str) -> list[int]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = $2",
            APPLICATION_NAME,
            make_url(url).database,
        )
        return [row["pid"] for row in rows]
    finally:
        await connection.close()


def _wait_for_one_holder(url: str, other_than: int | None = None) -> int:
    deadline = time.monotonic() + 30
    while True:
        holders = asyncio.run(_lock_holders(url, CONTACT_PURGE))
        if len(holders) == 1 and holders[0] != other_than:
            return holders[0]
        assert len(holders) <= 1, holders
        assert time.monotonic() < deadline, "no worker took the lead"
        time.sleep(0.05)


def test_two_worker_processes_elect_one_leader(backend: str, lifecycle_database: str) -> None:
    """`pakn serve --workers 2`: the purge's lock is held by one worker's leading
    connection; killed, it is taken again, by one worker."""
    if backend != "postgresql":
        pytest.skip("several workers need PostgreSQL; SQLite serves one worker")
    url = lifecycle_database
    with pakn_serve(url, workers=2, settings={"PAKN_PURGE_INTERVAL": "0.1"}):
        leader = _wait_for_one_holder(url)
        assert leader in asyncio.run(_leader_connections(url))
        asyncio.run(_terminate(url, leader))
        successor = _wait_for_one_holder(url, other_than=leader)
        assert successor in asyncio.run(_leader_connections(url))
        for _ in range(10):  # the followers keep trying, and never get it as well
            assert asyncio.run(_lock_holders(url, CONTACT_PURGE)) == [successor]
            time.sleep(0.05)
