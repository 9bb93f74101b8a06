"""Errors of pakn's engines never show a statement's parameters (review of #14, point 4): a
failed erasure's parameters are the contact values it erases, and errors are logged with
their tracebacks. Both databases; the background jobs' engine is made the same way."""

from __future__ import annotations

import asyncio
import traceback

import pytest
from sqlalchemy import exc, text

from db.engine import open_engine

MARKER = "hidden.petitioner@example.vn"


async def _failure(url: str) -> str:
    async with open_engine(url) as engine, engine.connect() as connection:
        with pytest.raises(exc.DBAPIError) as failed:
            await connection.execute(
                text("DELETE FROM no_such_table WHERE email = :email"), {"email": MARKER}
            )
    return "".join(traceback.format_exception(failed.value))


def test_a_failed_statement_does_not_show_its_parameters(empty_database: str) -> None:
    shown = asyncio.run(_failure(empty_database))
    assert "no_such_table" in shown
    assert MARKER not in shown
    assert "hidden due to hide_parameters" in shown
