"""The transparency log's checkpoints (#16, point 2), on both databases: signed C2SP notes
of the committed tree, issued only when it grew, every one kept, each consistent with the
one before; signed by the current log key, whose rotation keeps the origin; and a stored
tree that no longer extends the last checkpoint is refused a signature."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.demo import load_demo
from app.domain import merkle
from app.domain.signed_note import Checkpoint, Note, Verifier
from app.domain.timezone import now
from db import log_checkpoints
from db.engine import create_engine, session_factory
from db.models import LogCheckpoint, LogEntry, LogHash
from db.queries import log
from tests.support.demo_rows import NOW
from tests.support.workflow import TEST_KEK

PUBLIC_URL = "https://pakn.example.vn"


@pytest.fixture
async def engine(empty_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database)
    yield engine
    await engine.dispose()


async def _issue(session: AsyncSession, url: str = PUBLIC_URL) -> LogCheckpoint | None:
    issued = await log_checkpoints.issue(session, TEST_KEK, url, now())
    await session.commit()
    return issued


async def test_checkpoints_are_signed_kept_and_consistent(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions() as session:
        assert await _issue(session) is None, "an empty tree has no checkpoint"
    await load_demo(engine, 30, 7, key_encryption_key=TEST_KEK, now=NOW)
    async with sessions() as session:
        first = await _issue(session)
        assert first is not None and await _issue(session) is None, "nothing grew"
        (vkey,) = await log_checkpoints.public_keys(session)
        note = Note.parse(first.note)
        assert note.signed_by(Verifier.parse(vkey)) is not None
        body = Checkpoint.parse(note.text)
        assert body.origin == "pakn.example.vn/log" and vkey.startswith("pakn.example.vn/log+")
        assert (body.size, body.root) == (first.tree_size, await log.root(session, body.size))
    await load_demo(engine, 30, 8, key_encryption_key=TEST_KEK, now=NOW)
    async with sessions() as session:
        await log_checkpoints.create_key(session, TEST_KEK, "https://elsewhere.example", now())
        second = await _issue(session, "https://elsewhere.example")
        assert second is not None and second.tree_size > first.tree_size
        current, retired = await log_checkpoints.public_keys(session)
        assert retired == vkey and current.startswith("pakn.example.vn/log+"), "origin kept"
        note = Note.parse(second.note)
        assert note.signed_by(Verifier.parse(current)) is not None
        assert note.signed_by(Verifier.parse(vkey)) is None
        proof = await log.consistency_proof(session, first.tree_size, second.tree_size)
        merkle.verify_consistency(
            first.tree_size, second.tree_size, bytes(first.root), bytes(second.root), proof
        )
        kept = list(await session.scalars(select(LogCheckpoint.tree_size)))
        assert sorted(kept) == [first.tree_size, second.tree_size]


async def test_a_tree_that_no_longer_extends_the_last_checkpoint_is_not_signed(
    engine: AsyncEngine,
) -> None:
    await load_demo(engine, 60, 9, key_encryption_key=TEST_KEK, now=NOW)
    sessions = session_factory(engine)
    async with sessions() as session:
        first = await _issue(session)
        assert first is not None and first.tree_size > 256
        await session.execute(
            update(LogHash).where(LogHash.level == 1, LogHash.position == 0).values(hash=b"\0" * 32)
        )
        await session.commit()
    await load_demo(engine, 5, 10, key_encryption_key=TEST_KEK, now=NOW)
    async with sessions() as session:
        with pytest.raises(log_checkpoints.LogForked, match="does not extend checkpoint"):
            await _issue(session)
        await session.rollback()
        assert (await log_checkpoints.latest(session)).tree_size == first.tree_size  # type: ignore[union-attr]


async def test_a_shrunk_tree_is_refused_a_signature_and_its_tiles(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    await load_demo(engine, 10, 20, key_encryption_key=TEST_KEK, now=NOW)
    sessions = session_factory(engine)
    async with sessions() as session:
        first = await log_checkpoints.issue(session, TEST_KEK, "http://127.0.0.1:8000", now())
        await session.commit()
        assert first is not None
        assert "its origin is fixed now, for good, as 127.0.0.1:8000/log" in caplog.text
        await session.execute(delete(LogEntry).where(LogEntry.event_id == first.tree_size))
        await session.commit()
        with pytest.raises(log_checkpoints.LogForked, match="fewer than checkpoint"):
            await log_checkpoints.issue(session, TEST_KEK, PUBLIC_URL, now())
