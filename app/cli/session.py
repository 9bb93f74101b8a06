"""One database session for one command: the engine lives as long as the command's work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


def run_in_session(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in a session and commit what it did; a failure rolls back."""
    return asyncio.run(_in_session(database_url, work))


async def _in_session(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from db.engine import open_engine, session_factory

    async with open_engine(database_url) as engine, session_factory(engine)() as session:
        result = await work(session)
        await session.commit()
        return result
