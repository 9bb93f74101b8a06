"""`pakn audit verify` checks the transparency log against the events (#16, point 1), on
both databases: an intact database passes; a changed event, leaf, leaf hash, subtree hash
or checkpoint, and a leaf gone, are each named."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, update

from db import log_leaves
from db.engine import create_engine, session_factory
from db.models import LogCheckpoint, LogEntry, LogHash, PetitionEvent
from tests.support.cli import pakn
from tests.support.log import sign

TAMPERING = {
    "event": (
        update(PetitionEvent).where(PetitionEvent.id == 9).values(note="đã sửa"),
        "the leaf of event 9 does not say what the event says",
    ),
    "entry": (
        update(LogEntry).where(LogEntry.event_id == 9).values(entry=b"pakn-log-entry/v1\n"),
        "the leaf of event 9 does not say what the event says",
    ),
    "leaf hash": (
        update(LogEntry).where(LogEntry.event_id == 9).values(leaf_hash=b"\0" * 32),
        "the leaf hash of event 9 is not its entry's",
    ),
    "leaf gone": (
        delete(LogEntry).where(LogEntry.event_id == 9),
        "event 9 has no leaf",
    ),
    "subtree hash": (
        update(LogHash).where(LogHash.level == 1, LogHash.position == 0).values(hash=b"\0" * 32),
        "the stored hash of subtree 1/0 is not its leaves'",
    ),
    "checkpoint": (
        update(LogCheckpoint).values(root=b"\1" * 32),
        "its note names another tree",
    ),
}


async def _tamper(url: str, statement: object) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await session.execute(statement)  # type: ignore[call-overload]
            await session.commit()
    finally:
        await engine.dispose()


@pytest.mark.parametrize("what", list(TAMPERING))
def test_audit_verify_names_what_was_changed(empty_database: str, what: str) -> None:
    asyncio.run(sign(empty_database, 60, 17))
    intact = pakn("audit", "verify", database_url=empty_database)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "leaves match the events" in intact.stdout
    assert "1 checkpoints hold" in intact.stdout
    statement, message = TAMPERING[what]
    asyncio.run(_tamper(empty_database, statement))
    audited = pakn("audit", "verify", database_url=empty_database)
    assert audited.returncode == 1
    assert message in audited.stdout, audited.stdout


def test_audit_verify_catches_a_history_rewritten_with_its_leaves(empty_database: str) -> None:
    """An event changed and the whole log rebuilt: every leaf matches its event again, but
    the checkpoints kept name another tree."""
    asyncio.run(sign(empty_database, 60, 18))

    async def rewrite() -> None:
        engine = create_engine(empty_database)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    update(PetitionEvent).where(PetitionEvent.id == 9).values(note="đã sửa")
                )
                await connection.execute(delete(LogHash))
                await connection.execute(delete(LogEntry))
                await connection.run_sync(log_leaves.extend)
        finally:
            await engine.dispose()

    asyncio.run(rewrite())
    audited = pakn("audit", "verify", database_url=empty_database)
    assert audited.returncode == 1
    assert "the tree at that size no longer has its root" in audited.stdout, audited.stdout
