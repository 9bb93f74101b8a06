"""`/ready`: may this host be sent traffic now? Beside `/health` (is the process up and the
database answering).

A host is ready when all of these hold:
- its database answers, within `CHECK_SECONDS`;
- the schema is at a migration this code knows: the newest, or an older one whose
  upgrade is still to come (an expand/contract upgrade keeps every host ready while the
  migration runs). A schema upgraded by a newer pakn is not ready;
- its LISTEN connection is up (PostgreSQL), so its subscribers hear other hosts' events;
- its background runner is running, and the host is not draining.

Then it answers 200 with `"status": "ready"`, else 503 with `"status": "unready"` (or
`"draining"` once SIGTERM came), and the failing checks named.

The background jobs run on one leader across all hosts (`db.leadership`), so "is the
scheduler alive" is a question about the cluster. Each job's heartbeat
(`db.heartbeats`) answers it: fresh somewhere means alive. A stale one still answers 200,
with `"status": "degraded"`. Taking every host out of the balancer because one job's
leader is stuck would turn a late report into an outage; the stale job is for an alert
(`pakn_job_last_run_timestamp_seconds` on `/metrics`) instead.

The body names no host, no address and no person: it is public, like `/health`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.domain.timezone import now
from app.services.background import BackgroundRunner
from db import heartbeats
from db.availability import database_unavailable
from db.listener import PgListener
from db.migrate import database_revision

CHECK_SECONDS = 3.0
NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Readiness:
    """The `/ready` endpoint of one worker."""

    engine: AsyncEngine
    runner: BackgroundRunner
    known_revisions: Sequence[str]
    listener: Callable[[], PgListener | None]
    """The worker's listener once its lifespan started it; None on SQLite."""
    started_at: datetime = field(default_factory=now)
    draining: bool = False

    async def respond(self, _request: Request) -> JSONResponse:
        checks: dict[str, object] = {}
        problems: list[str] = []
        revision, beats = await self._read_database(checks, problems)
        if revision is not None:
            head = self.known_revisions[-1]
            checks["schema"] = {"revision": revision, "head": head, "pending": revision != head}
            if revision not in self.known_revisions:
                problems.append("schema")
        listener = self.listener()
        if listener is not None:
            checks["listener"] = "ok" if listener.connected else "disconnected"
            if not listener.connected:
                problems.append("listener")
        checks["scheduler"] = "ok" if self.runner.alive else "stopped"
        if not self.runner.alive:
            problems.append("scheduler")
        jobs = self._jobs(beats) if beats is not None else {}
        if jobs:
            checks["jobs"] = jobs
        if self.draining:
            status = "draining"
        elif problems:
            status = "unready"
        elif "stale" in jobs.values():
            status = "degraded"
        else:
            status = "ready"
        body: dict[str, object] = {"status": status, "checks": checks}
        if problems:
            body["failing"] = problems
        code = 200 if status in ("ready", "degraded") else 503
        return JSONResponse(body, code, headers=NO_STORE)

    async def _read_database(
        self, checks: dict[str, object], problems: list[str]
    ) -> tuple[str | None, dict[str, heartbeats.Heartbeat] | None]:
        try:
            async with asyncio.timeout(CHECK_SECONDS), self.engine.connect() as connection:
                revision = await database_revision(connection)
                beats = (
                    await heartbeats.latest(connection) if self._has_heartbeats(revision) else {}
                )
        except Exception as error:
            if not isinstance(error, TimeoutError) and not database_unavailable(error):
                raise
            checks["database"] = "unreachable"
            problems.append("database")
            return None, None
        checks["database"] = "ok"
        if revision is None:
            checks["schema"] = {"revision": None, "head": self.known_revisions[-1]}
            problems.append("schema")
        return revision, beats

    def _has_heartbeats(self, revision: str | None) -> bool:
        known = self.known_revisions
        return (
            revision in known
            and heartbeats.SINCE_REVISION in known
            and known.index(revision) >= known.index(heartbeats.SINCE_REVISION)
        )

    def _jobs(self, beats: dict[str, heartbeats.Heartbeat]) -> dict[str, str]:
        """Each job this host runs: "ok" (a fresh heartbeat, here or on another host),
        "starting" (none yet, and this host started within the job's stale span), or
        "stale"."""
        moment = now()
        states = {}
        for job in self.runner.jobs:
            beat = beats.get(job.name)
            if beat is not None and moment <= beat.stale_after():
                states[job.name] = "ok"
            elif beat is None and moment <= heartbeats.stale_after(
                self.started_at, job.interval_seconds
            ):
                states[job.name] = "starting"
            else:
                states[job.name] = "stale"
        return states
