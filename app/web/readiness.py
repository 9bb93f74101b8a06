"""`/ready`: may this host be sent traffic now? Beside `/health` (is the process up and the
database answering).

A host is ready when all of these hold:
- its database answers, within `CHECK_SECONDS`;
- the schema is one this code serves (`db.migrate.Standing`): at a migration it knows,
  the newest or an older one whose upgrade is still to come, or at a newer pakn's
  migration that names this code among its readers (an expand). So an expand/contract
  upgrade keeps every host ready, the old ones and the new. A schema that a newer pakn
  contracted past this code is not ready;
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
from db.migrate import SchemaState, Standing, schema_state

CHECK_SECONDS = 3.0
REUSE_SECONDS = 1.0
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
    _last: tuple[float, dict[str, object], int] | None = None
    _checking: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def respond(self, _request: Request) -> JSONResponse:
        """The answer of the last check if it is under `REUSE_SECONDS` old, else a new
        check, one at a time: a flood of `/ready` costs the database a check a second."""
        async with self._checking:
            moment = asyncio.get_running_loop().time()
            if self._last is None or moment - self._last[0] >= REUSE_SECONDS:
                self._last = (moment, *await self._assess())
            _, body, code = self._last
        if self.draining:
            body, code = {**body, "status": "draining"}, 503
        return JSONResponse(body, code, headers=NO_STORE)

    async def _assess(self) -> tuple[dict[str, object], int]:
        checks: dict[str, object] = {}
        problems: list[str] = []
        schema, beats = await self._read_database(checks, problems)
        if schema is not None:
            standing = schema.standing(self.known_revisions)
            checks["schema"] = {
                "revision": schema.revision,
                "head": self.known_revisions[-1],
                "standing": standing.value,
            }
            if standing in (Standing.EMPTY, Standing.UNSERVABLE):
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
        if problems:
            status = "unready"
        elif "stale" in jobs.values():
            status = "degraded"
        else:
            status = "ready"
        body: dict[str, object] = {"status": status, "checks": checks}
        if problems:
            body["failing"] = problems
        return body, 200 if status in ("ready", "degraded") else 503

    async def _read_database(
        self, checks: dict[str, object], problems: list[str]
    ) -> tuple[SchemaState | None, dict[str, heartbeats.Heartbeat] | None]:
        """The schema's state and the jobs' heartbeats (None on a schema without them)."""
        try:
            async with asyncio.timeout(CHECK_SECONDS), self.engine.connect() as connection:
                schema = await schema_state(connection)
                beats = (
                    await heartbeats.latest(connection) if self._has_heartbeats(schema) else None
                )
        except Exception as error:
            if not isinstance(error, TimeoutError) and not database_unavailable(error):
                raise
            checks["database"] = "unreachable"
            problems.append("database")
            return None, None
        checks["database"] = "ok"
        return schema, beats

    def _has_heartbeats(self, schema: SchemaState) -> bool:
        known, since = self.known_revisions, heartbeats.SINCE_REVISION
        if schema.standing(known) is Standing.AHEAD:
            return True
        return schema.revision in known and known.index(schema.revision) >= known.index(since)

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
