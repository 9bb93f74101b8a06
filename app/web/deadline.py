"""The request timeout: an operation that runs past it is stopped, statement and all.

The operation runs in a task of its own, so that its client can be answered when the time
is up even while the operation is still unwinding: its statement is stopped
(`db.interrupts`), the task is cancelled and given `UNWIND_SECONDS` to end; one that takes
longer (SQLite waiting in its busy handler for another process's write lock, which its
interrupt does not reach) ends on its own, and rolls back, while its client already has
REQUEST_TIMEOUT. The same happens when the operation is called off from outside (a
socket's client sends `complete`): the work is stopped, not left running unowned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from db.interrupts import StatementSlot, interrupt, statements_of_this_task

logger = logging.getLogger("pakn.deadline")
T = TypeVar("T")

UNWIND_SECONDS = 1.0
_unwinding: set[asyncio.Task[Any]] = set()


class OperationTimedOut(Exception):
    """The operation ran past the request timeout and was stopped."""


async def within(seconds: float, work: Awaitable[T], database_url: str) -> T:
    """`work`'s result, or OperationTimedOut past `seconds` (0: no limit). An operation
    whose commit is under way when the time is up is let finish (for `UNWIND_SECONDS`)
    and keeps its result: a mutation that committed is reported as done, not as timed out
    (its client would run it again)."""
    if not seconds:
        return await work
    with statements_of_this_task() as slot:
        task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        await _stop(task, slot, database_url)
        raise
    if done:
        return task.result()
    if slot.committing:
        done, _ = await asyncio.wait({task}, timeout=UNWIND_SECONDS)
        if done and task.exception() is None:
            return task.result()
    await _stop(task, slot, database_url)
    if task.done() and not task.cancelled():
        if task.exception() is None:
            return task.result()
        logger.info("an operation past its timeout ended with %r", task.exception())
    raise OperationTimedOut


async def _stop(task: asyncio.Task[Any], slot: StatementSlot, database_url: str) -> None:
    """Cancel first: the task then unwinds as its statement is stopped, rather than answer
    with the stopped statement's error (QUERY_TIMEOUT) as if that were its result."""
    task.cancel()
    try:
        await asyncio.shield(interrupt(slot, database_url))
        await asyncio.wait({task}, timeout=UNWIND_SECONDS)
    finally:
        if not task.done():
            left_to_finish(task, "an operation past its timeout")


def left_to_finish(task: asyncio.Task[Any], what: str) -> None:
    """Keep `task`, which no one awaits any more, until it ends (asyncio holds only weak
    references to tasks), and log how it ended if it failed."""
    _unwinding.add(task)

    def ended(done: asyncio.Task[Any]) -> None:
        _unwinding.discard(done)
        if not done.cancelled() and done.exception() is not None:
            logger.warning("%s ended with %r", what, done.exception())

    task.add_done_callback(ended)
