"""The background runner: named jobs on intervals, each run by one leader across all hosts.

Every worker process runs one `BackgroundRunner` (started and stopped by the application's
lifespan, `app.main`). For each job it loops: try to lead (`db.leadership`), run the job
if it leads, wait the job's interval, again; the first try comes at start, so a worker
restarted more often than the interval still runs its jobs. A job is a coroutine function
given its `Lease`; it works in bounded transactions of its own and asks `lease.held`
between them, so a leader that lost its lock, or a runner stopping, ends the run at the
next boundary and leaves consistent state; what it did not reach, the next run (here or on
the new leader) does. A job that fails is logged and tried again on its next interval; it
never ends the loop, nor the worker.

Jobs that later issues add run here too: the overdue clock, checkpoint signing, the
outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from db.leadership import Leadership

logger = logging.getLogger("pakn.background")

STOP_GRACE_SECONDS = 10.0
"""How long `stop` lets a job's current transaction end before it cancels the job."""
FLUSH_SECONDS = 5.0
"""How long `flush` waits for a job's last run before a stop."""


class Lease:
    """What a running job asks between its transactions: does it still lead, and is the
    runner not stopping?"""

    def __init__(self, leadership: Leadership, stopping: asyncio.Event) -> None:
        self._leadership = leadership
        self._stopping = stopping

    @property
    def held(self) -> bool:
        return self._leadership.held and not self._stopping.is_set()


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[Lease], Awaitable[object]]
    """Idempotent and restartable: each of its transactions leaves consistent state."""


@dataclass
class JobState:
    """What one job did in this process (for tests and logs)."""

    tries: int = 0
    """Claims to lead, won or not."""
    runs: int = 0
    failures: int = 0
    last_result: object = None
    running: bool = False
    lead_changes: list[bool] = field(default_factory=list)


class BackgroundRunner:
    def __init__(self, jobs: Sequence[Job], leadership: Callable[[str], Leadership]) -> None:
        self.jobs = tuple(jobs)
        self._leaders = {job.name: leadership(job.name) for job in self.jobs}
        self.state = {job.name: JobState() for job in self.jobs}
        self._stopping = asyncio.Event()
        self._wake = {job.name: asyncio.Event() for job in self.jobs}
        self._ran = {job.name: asyncio.Event() for job in self.jobs}
        self._tasks: list[asyncio.Task[None]] = []
        self.observers: list[Callable[[str, bool], object]] = []
        """Told of each run as it ends: the job's name, and whether it succeeded."""

    def leader(self, name: str) -> Leadership:
        return self._leaders[name]

    def start(self) -> None:
        self._stopping.clear()
        self._tasks = [
            asyncio.create_task(self._loop(job), name=f"pakn-job-{job.name}") for job in self.jobs
        ]

    def run_soon(self, name: str) -> None:
        """Cut the job's wait short: its next try comes now (tests, an operator's nudge)."""
        self._wake[name].set()

    @property
    def alive(self) -> bool:
        """Whether every job's loop is running (started and not ended)."""
        return len(self._tasks) == len(self.jobs) and not any(t.done() for t in self._tasks)

    async def flush(self, name: str) -> bool:
        """Run job `name` once more, now, if this process leads it, and wait up to
        `FLUSH_SECONDS` for that run to end: a draining host sends what its outbox owes
        before it lets go of the lead. True when the run ended (or there was none to do)."""
        leadership, ran = self._leaders.get(name), self._ran.get(name)
        if leadership is None or ran is None or not leadership.held or not self._tasks:
            return True
        try:
            async with asyncio.timeout(FLUSH_SECONDS):
                if self.state[name].running:
                    ran.clear()
                    await ran.wait()
                ran.clear()
                self.run_soon(name)
                await ran.wait()
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Let running jobs end their current transaction (they see `lease.held` turn
        false), cancel them after `STOP_GRACE_SECONDS`, and give up every leadership."""
        self._stopping.set()
        for wake in self._wake.values():
            wake.set()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks = []
        for leadership in self._leaders.values():
            try:
                await leadership.release()
            except Exception:
                logger.exception("background runner: releasing a job's leadership failed")

    def _tell(self, name: str, ok: bool) -> None:
        for observer in self.observers:
            try:
                observer(name, ok)
            except Exception:
                logger.exception("background runner: an observer of job %s failed", name)

    async def _loop(self, job: Job) -> None:
        leadership, state = self._leaders[job.name], self.state[job.name]
        wake = self._wake[job.name]
        was_leading = False
        while not self._stopping.is_set():
            wake.clear()
            try:
                leading = await leadership.try_lead()
            except Exception as error:
                logger.warning("background job %s: cannot claim its lead: %r", job.name, error)
                leading = False
            state.tries += 1
            if leading != was_leading:
                state.lead_changes.append(leading)
                was_leading = leading
            try:
                if leading and not self._stopping.is_set():
                    state.running = True
                    try:
                        state.last_result = await job.run(Lease(leadership, self._stopping))
                    finally:
                        state.running = False
                    state.runs += 1
                    self._tell(job.name, True)
            except Exception:
                state.failures += 1
                logger.exception(
                    "background job %s failed; retrying in %.0f s", job.name, job.interval_seconds
                )
                self._tell(job.name, False)
            finally:
                if leading:
                    self._ran[job.name].set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), job.interval_seconds)
