"""How a write transaction runs: all-or-nothing, and one at a time on SQLite.

PostgreSQL orders concurrent writers itself (row locks for optimistic versions, an advisory
lock for the event chain). SQLite has a single writer per database file and refuses a
second one that started reading first; pakn therefore runs one process on SQLite and
queues its write transactions behind an in-process lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession


class WriteGate:
    def __init__(self, serialise: bool, after_commit: Callable[[], None] | None = None) -> None:
        self._lock = asyncio.Lock() if serialise else None
        self.after_commit = after_commit

    @property
    def held(self) -> bool:
        """Whether a write transaction of this process holds the gate (never, on
        PostgreSQL, where there is none)."""
        return self._lock is not None and self._lock.locked()

    @asynccontextmanager
    async def transaction(self, session: AsyncSession) -> AsyncIterator[AsyncSession]:
        """Commit when the block ends normally, roll back on any exception."""
        if self._lock is None:
            async with self._session_transaction(session):
                yield session
        else:
            async with self._lock, self._session_transaction(session):
                yield session
        if self.after_commit is not None:
            self.after_commit()

    @staticmethod
    @asynccontextmanager
    async def _session_transaction(session: AsyncSession) -> AsyncIterator[None]:
        if session.in_transaction():
            await session.commit()
        try:
            yield
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
