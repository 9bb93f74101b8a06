"""PostgreSQL LISTEN for the event feed, on a dedicated connection that heals itself.

Writers run `pg_notify(CHANNEL, '')` inside their transaction, so PostgreSQL delivers the
notification only if and when it commits. When the listening connection drops, the
listener reconnects with backoff and wakes the feed once connected, so the feed reads
whatever was committed while nobody listened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from db.event_log import NOTIFY_CHANNEL as CHANNEL

APPLICATION_NAME = "pakn-listener"
logger = logging.getLogger("pakn.listener")


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgListener:
    def __init__(self, database_url: str, on_notify: Callable[[], None]) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.on_notify = on_notify
        self._task: asyncio.Task[None] | None = None
        self._lost: asyncio.Event = asyncio.Event()
        self.connections_made = 0
        self.connected = False
        """Whether the LISTEN connection is up now (`/ready` reports it)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pakn-pg-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _notified(self, *_args: Any) -> None:
        self.on_notify()

    async def _run(self) -> None:
        delay = 0.1
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(
                    self.dsn, server_settings={"application_name": APPLICATION_NAME}
                )
                self._lost.clear()
                connection.add_termination_listener(lambda _c: self._lost.set())
                await connection.add_listener(CHANNEL, self._notified)
                self.connections_made += 1
                self.connected = True
                delay = 0.1
                self.on_notify()
                await self._lost.wait()
                self.connected = False
                logger.warning("event listener: connection lost; reconnecting")
            except (TimeoutError, OSError, asyncpg.PostgresError) as error:
                logger.warning("event listener: %s; retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                self.connected = False
                if connection is not None and not connection.is_closed():
                    connection.terminate()
