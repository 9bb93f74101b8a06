"""The request timeout's rule for work that is committing when the time is up: let finish,
its result kept (its client would otherwise run a mutation that took effect again); other
work is cancelled and OperationTimedOut raised. Plain asyncio work stands in for an
operation: the database's part is shown by tests/api/test_request_timeout.py."""

from __future__ import annotations

import asyncio

import pytest

from app.web.deadline import OperationTimedOut, within
from db import interrupts


async def _committing_then_done() -> str:
    slot = interrupts._SLOT.get()
    assert slot is not None
    slot.committing = True
    await asyncio.sleep(0.3)
    return "committed"


async def _slow() -> str:
    await asyncio.sleep(5)
    return "late"


async def test_work_committing_when_the_time_is_up_keeps_its_result() -> None:
    assert await within(0.1, _committing_then_done(), "sqlite+aiosqlite://") == "committed"


async def test_other_work_past_the_time_is_cancelled() -> None:
    task = asyncio.ensure_future(_slow())
    with pytest.raises(OperationTimedOut):
        await within(0.1, task, "sqlite+aiosqlite://")
    assert task.cancelled()


async def test_no_limit_at_zero() -> None:
    assert await within(0, asyncio.sleep(0.01, "done"), "sqlite+aiosqlite://") == "done"
