"""Stopping the statement a request has in flight when the request runs out of time.

Cancelling the request's task is not enough: `db.engine.SerialSession` lets a statement
run to its end when its caller is cancelled (so the connection is never left busy), and
closing the session waits for it. So the statement itself is stopped: SQLite's
`interrupt()`, PostgreSQL's cancel request (`pg_cancel_backend` from a connection of its
own, since the request's connection is busy). The statement then fails at once, the
session rolls back and closes, and its connection goes back to the pool.

`watch(engine)` notes, for the task that runs each statement, which driver connection it
runs on, in the `StatementSlot` of the request (a context variable: the statement runs
in a task the request's task made, which inherits it). `app.web.deadline` applies the
request timeout with them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from db.listener import asyncpg_dsn

logger = logging.getLogger("pakn.db")


@dataclass
class StatementSlot:
    """The driver connections one request has statements running on, and whether it has
    begun to commit (a commit under way is let finish: its client is told it happened)."""

    running: set[Any] = field(default_factory=set)
    committing: bool = False


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
    event.listen(target, "commit", _committing)


def _committing(_conn: Any) -> None:
    slot = _SLOT.get()
    if slot is not None:
        slot.committing = True


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
