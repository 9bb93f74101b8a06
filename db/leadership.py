"""Who runs a background job: one leader per job across every worker and host.

On PostgreSQL a job's leader is the process whose dedicated connection holds the job's
session-level advisory lock (`pg_try_advisory_lock`). The lock lives as long as that
connection: a leader that exits, crashes or loses its connection (a restart of the server,
`pg_terminate_backend`, a network cut the server notices) loses it with the connection,
and another process's next try takes it. A leader checks its connection with a round trip
before each run, so one that lost it unnoticed does not run on; jobs are idempotent, so
the short overlap a silently cut connection can still allow costs nothing but work.

On SQLite, pakn runs one process per database file: it leads every job.

Lock keys: the two-integer form of the advisory lock, `(JOB_LOCK_CLASS, crc32 of the job's
name)`, a key space apart from the single-integer one of the event chain's lock
(`db.event_log.CHAIN_LOCK_KEY`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Callable
from typing import Protocol

import asyncpg

from db.engine import is_sqlite
from db.listener import asyncpg_dsn

JOB_LOCK_CLASS = 7_242_017
APPLICATION_NAME = "pakn-leader"
CONNECT_TIMEOUT_SECONDS = 10.0
CHECK_TIMEOUT_SECONDS = 5.0

logger = logging.getLogger("pakn.leadership")


def job_lock_key(name: str) -> int:
    """The job's half of its lock key: its name's CRC-32 as a signed 32-bit integer."""
    value = zlib.crc32(name.encode())
    return value - 2**32 if value >= 2**31 else value


class Leadership(Protocol):
    """One job's claim to lead, in one process."""

    @property
    def held(self) -> bool:
        """Whether this process leads the job now, as far as it knows without asking."""
        ...

    async def try_lead(self) -> bool:
        """Lead, or go on leading: True when this process leads the job now."""
        ...

    async def release(self) -> None:
        """Stop leading (another process may take over)."""
        ...


class SoleLeader:
    """SQLite: the one process leads every job, always."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._released = False

    @property
    def held(self) -> bool:
        return not self._released

    async def try_lead(self) -> bool:
        self._released = False
        return True

    async def release(self) -> None:
        self._released = True


class AdvisoryLeadership:
    """PostgreSQL: the job's advisory lock, held on a connection of its own while leading.

    A process that does not lead opens a connection for each try and closes it again, so
    followers hold no connection between tries."""

    def __init__(self, database_url: str, name: str) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.name = name
        self.key = job_lock_key(name)
        self._connection: asyncpg.Connection | None = None
        self._lost = False

    @property
    def held(self) -> bool:
        connection = self._connection
        return connection is not None and not self._lost and not connection.is_closed()

    @property
    def backend_pid(self) -> int | None:
        """The server process of the leading connection (tests end it to take the lead)."""
        return self._connection.get_server_pid() if self.held and self._connection else None

    async def try_lead(self) -> bool:
        if self.held and await self._still_connected():
            return True
        await self._drop()
        connection = await asyncpg.connect(
            self.dsn,
            timeout=CONNECT_TIMEOUT_SECONDS,
            server_settings={"application_name": APPLICATION_NAME},
        )
        try:
            got = await connection.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", JOB_LOCK_CLASS, self.key
            )
        except BaseException:
            connection.terminate()
            raise
        if not got:
            await connection.close()
            return False
        self._lost = False
        connection.add_termination_listener(self._on_termination)
        self._connection = connection
        logger.info("background job %s: this process leads it", self.name)
        return True

    def _on_termination(self, _connection: object) -> None:
        self._lost = True

    async def _still_connected(self) -> bool:
        assert self._connection is not None
        try:
            await self._connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_SECONDS)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            logger.warning("background job %s: lost the leading connection", self.name)
            self._lost = True
            return False
        return True

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        try:
            await asyncio.wait_for(connection.close(), CHECK_TIMEOUT_SECONDS)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            with contextlib.suppress(Exception):
                connection.terminate()


def leadership_for(database_url: str) -> Callable[[str], Leadership]:
    """How this process claims to lead a job (by name) on this database."""
    if is_sqlite(database_url):
        return SoleLeader
    return lambda name: AdvisoryLeadership(database_url, name)
