"""The supervisor's stop (#14, point 6, the review's follow-up): workers get SIGTERM and a
grace period; one still running after it (draining, or deaf to SIGTERM) is killed, so no
worker outlives the supervisor holding the listening socket. Real child processes."""

from __future__ import annotations

import multiprocessing
import signal
import time
from multiprocessing.synchronize import Event

from app.web.serving import stop_workers

SPAWN = multiprocessing.get_context("spawn")


def _deaf_to_sigterm(ready: Event) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ready.set()
    while True:
        time.sleep(1)


def _plain(ready: Event) -> None:
    ready.set()
    while True:
        time.sleep(1)


def _started(target: object) -> multiprocessing.process.BaseProcess:
    ready = SPAWN.Event()
    process = SPAWN.Process(target=target, args=(ready,), daemon=True)
    process.start()
    assert ready.wait(30), "the child did not start"
    return process


def test_a_worker_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    deaf, plain = _started(_deaf_to_sigterm), _started(_plain)
    try:
        stop_workers([deaf, plain], grace=0.5)
        assert not deaf.is_alive() and not plain.is_alive()
        assert plain.exitcode == -signal.SIGTERM
        assert deaf.exitcode == -signal.SIGKILL
    finally:
        for process in (deaf, plain):
            if process.is_alive():
                process.kill()
            process.join(5)


def test_workers_that_stop_on_sigterm_are_not_killed() -> None:
    workers = [_started(_plain), _started(_plain)]
    stop_workers(workers, grace=30)
    assert [worker.exitcode for worker in workers] == [-signal.SIGTERM, -signal.SIGTERM]
