"""Background jobs' heartbeats: what each job's leader last did, and when, for every host
to read.

A job's leader (`db.leadership`) writes its job's row after each run, succeeded or
failed, in a transaction of its own. A job whose row is older than `stale_after` of its
interval has no live leader anywhere: the leader's host is gone or stuck and no other
host has taken the lock yet. `/ready` reports it (`app.web.readiness`) and so does
`/metrics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import JobHeartbeat

SINCE_REVISION = "0020"
"""The migration that made the table: a schema before it has no heartbeats yet."""
STALE_INTERVALS = 3
STALE_GRACE = timedelta(seconds=30)
"""A heartbeat is stale after three intervals and half a minute: a run that takes longer
than its interval delays the next beat, and a new leader waits up to one interval to try."""


@dataclass(frozen=True)
class Heartbeat:
    job: str
    host: str
    beat_at: datetime
    interval_seconds: float
    succeeded: bool

    def stale_after(self) -> datetime:
        return stale_after(self.beat_at, self.interval_seconds)


def stale_after(moment: datetime, interval_seconds: float) -> datetime:
    """When a job last seen running at `moment` is overdue for its next beat."""
    return moment + STALE_INTERVALS * timedelta(seconds=interval_seconds) + STALE_GRACE


async def beat(
    session: AsyncSession,
    job: str,
    host: str,
    at: datetime,
    interval_seconds: float,
    *,
    succeeded: bool,
) -> None:
    """Record a run of `job` (within the caller's transaction)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {
        "host": host[:128],
        "beat_at": at,
        "interval_seconds": interval_seconds,
        "succeeded": succeeded,
    }
    statement = insert(JobHeartbeat).values(job=job, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["job"], set_=values))


async def latest(connection: AsyncConnection) -> dict[str, Heartbeat]:
    """Every job's last heartbeat, by job name."""
    table = JobHeartbeat.__table__
    rows = await connection.execute(
        select(
            table.c.job, table.c.host, table.c.beat_at, table.c.interval_seconds, table.c.succeeded
        )
    )
    return {row.job: Heartbeat(*row) for row in rows}
