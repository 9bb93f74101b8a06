"""A worker killed with SIGKILL is replaced by the supervisor (#14, point 6): on PostgreSQL
one of two workers, on SQLite the one supervised worker. A worker that keeps failing at
start makes the supervisor give up with a clear message and an exit code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.web.serving import GIVE_UP_AFTER, GIVE_UP_EXIT_CODE
from tests.support.cli import pakn_serve_process
from tests.support.processes import wait_for_exit, wait_for_workers
from tests.support.server import free_port
from tests.support.workflow import TEST_KEY


def worker_count(backend: str) -> int:
    return 2 if backend == "postgresql" else 1


@pytest.fixture
def served(
    backend: str, lifecycle_database: str, tmp_path: Path
) -> Iterator[tuple[str, int, Path]]:
    """`pakn serve` (two workers on PostgreSQL, one on SQLite): its URL, the supervisor's
    pid, and the file its messages go to."""
    log = tmp_path / "serve.log"
    workers = worker_count(backend)
    with (
        log.open("wb") as stderr,
        pakn_serve_process(lifecycle_database, workers, None, stderr) as (
            url,
            process,
        ),
    ):
        yield url, process.pid, log


def test_a_killed_worker_is_replaced(backend: str, served: tuple[str, int, Path]) -> None:
    url, supervisor, log = served
    before = wait_for_workers(supervisor, worker_count(backend))
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    wait_for_exit(victim)
    after = wait_for_workers(supervisor, worker_count(backend))
    assert victim not in after
    assert before - {victim} <= after
    assert httpx.get(f"{url}/health", timeout=10).status_code == 200
    messages = log.read_text()
    assert f"worker {victim} exited (code -9)" in messages
    assert f"started worker {(after - before).pop()}" in messages


def test_a_worker_that_keeps_failing_at_start_makes_the_supervisor_give_up() -> None:
    """Every worker fails at start (its database refuses connections): the supervisor
    replaces it with a growing delay, then gives up rather than spin."""
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/pakn"
    program = (
        "import sys\n"
        "from app.web.serving import FACTORY, _supervise, uvicorn_config\n"
        f"sys.exit(_supervise(uvicorn_config(FACTORY, '127.0.0.1', {free_port()}), 1))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", program],
        env=os.environ | {"PAKN_DATABASE_URL": nowhere, "PAKN_SECRET_KEY": TEST_KEY},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert finished.returncode == GIVE_UP_EXIT_CODE, finished.stderr
    assert finished.stderr.count("exited (code 3)") == GIVE_UP_AFTER
    assert f"{GIVE_UP_AFTER} workers exited within 60 s; giving up" in finished.stderr
