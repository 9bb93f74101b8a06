"""Stopping the statement a request has in flight when the request runs out of time.

Cancelling the request's task is not enough: `db.engine.SerialSession` lets a statement
run to its end when its caller is cancelled (so the connection is never left busy), and
closing the session waits for it. So the statement itself is stopped: SQLite's
`interrupt()`, PostgreSQL's cancel request (`pg_cancel_backend` from a connection of its
own, since the request's connection is busy). The statement then fails at once, the
session rolls back and closes, and its connection goes back to the pool.

`watch(engine)` notes, for the task that runs each statement, which driver connection it
runs on, in the `StatementSlot` of the request (a context variable: the statement runs
in a task the request's task made, which inherits it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.listener import asyncpg_dsn

logger = logging.getLogger("pakn.db")
T = TypeVar("T")


@dataclass
class StatementSlot:
    """The driver connections one request has statements running on."""

    running: set[Any] = field(default_factory=set)


_SLOT: ContextVar[StatementSlot | None] = ContextVar("pakn_statement_slot", default=None)


def _started(conn: Any, *_args: Any) -> None:
    slot = _SLOT.get()
    if slot is not None:
        slot.running.add(conn.connection.driver_connection)


def _ended(conn: Any, *_args: Any) -> None:
    slot = _SLOT.get()
    if slot is not None and conn is not None and conn.connection is not None:
        slot.running.discard(conn.connection.driver_connection)


def watch(engine: AsyncEngine) -> None:
    target = engine.sync_engine
    event.listen(target, "before_cursor_execute", _started)
    event.listen(target, "after_cursor_execute", _ended)
    event.listen(target, "handle_error", lambda context: _ended(context.connection))


@contextlib.contextmanager
def statements_of_this_task() -> Iterator[StatementSlot]:
    slot = StatementSlot()
    token = _SLOT.set(slot)
    try:
        yield slot
    finally:
        _SLOT.reset(token)


async def interrupt(slot: StatementSlot, database_url: str) -> None:
    """Stop every statement in `slot`; a statement that ends meanwhile is not harmed."""
    for driver in list(slot.running):
        try:
            if isinstance(driver, asyncpg.Connection):
                await _cancel_on_postgresql(driver, database_url)
            else:
                await driver.interrupt()
        except Exception:
            logger.exception("interrupting a statement past the request timeout failed")


async def _cancel_on_postgresql(driver: asyncpg.Connection, database_url: str) -> None:
    canceller = await asyncpg.connect(asyncpg_dsn(database_url), timeout=5)
    try:
        await canceller.execute("SELECT pg_cancel_backend($1)", driver.get_server_pid())
    finally:
        await canceller.close()


UNWIND_SECONDS = 1.0
"""How long a cancelled request may take to unwind before its client is answered anyway."""
_unwinding: set[asyncio.Task[Any]] = set()


async def within(seconds: float, work: Awaitable[T], database_url: str) -> tuple[bool, T | None]:
    """Run `work`; past `seconds` (0: never) stop its statements and cancel it, and give
    it `UNWIND_SECONDS` to unwind. (True, None) when it ran out of time, else (False, its
    result).

    A statement that cannot be stopped (SQLite waiting for another process's write lock
    sleeps in SQLite's busy handler, which `interrupt()` does not reach) ends at SQLite's
    busy timeout; the client has its answer meanwhile, and the work rolls back."""
    if not seconds:
        return False, await work
    with statements_of_this_task() as slot:
        task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if done:
        return False, task.result()
    await interrupt(slot, database_url)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=UNWIND_SECONDS)
    if not done:
        _unwinding.add(task)
        task.add_done_callback(_unwound)
    elif not task.cancelled() and task.exception() is not None:
        logger.info("a request past its timeout ended with %r", task.exception())
    return True, None


def _unwound(task: asyncio.Task[Any]) -> None:
    _unwinding.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.info("a request past its timeout ended with %r", task.exception())
