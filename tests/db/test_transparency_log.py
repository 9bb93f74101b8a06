"""The transparency log's leaves and tiles as the database keeps them (#16, point 1):
every event is one leaf, in id order, written by every path that writes events (the
demo's bulk load, then the API's writes on top, and migration 0014 over what was there);
each entry is the event's canonical encoding with its texts as salted commitments (and an
answer's seal); the root, the tiles above the leaves and every proof read from the
database agree with a second RFC 9162 implementation (tests/domain/rfc9162.py) over the
entries. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.demo import load_demo
from app.domain import log_entry, merkle, tiles
from app.domain.log_entry import Entry
from db.engine import create_engine, session_factory
from db.migrate import alembic_config
from db.models import Agency, Answer, LogEntry, LogHash, Petition, PetitionEvent
from db.queries import log
from tests.domain import rfc9162
from tests.support.demo_rows import NOW
from tests.support.workflow import TEST_KEK, make_tokens, serving_workflow


@pytest.fixture
async def engine(empty_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database)
    yield engine
    await engine.dispose()


async def _all(session: AsyncSession) -> tuple[list[PetitionEvent], list[LogEntry]]:
    events = list(await session.scalars(select(PetitionEvent).order_by(PetitionEvent.id)))
    leaves = list(await session.scalars(select(LogEntry).order_by(LogEntry.event_id)))
    return events, leaves


async def _check_leaves(session: AsyncSession) -> list[bytes]:
    """Every event has its leaf, which says what the event says; the entries in order."""
    events, leaves = await _all(session)
    assert [leaf.event_id for leaf in leaves] == [event.id for event in events]
    petitions = {p.id: p for p in await session.scalars(select(Petition))}
    codes = dict((await session.execute(select(Agency.id, Agency.code))).all())
    answers: dict[int, list[Answer]] = {}
    for answer in await session.scalars(select(Answer).order_by(Answer.id)):
        answers.setdefault(answer.petition_id, []).append(answer)
    answered: dict[int, int] = {}
    internal = 0
    for event, leaf in zip(events, leaves, strict=True):
        petition = petitions[event.petition_id]
        assert bytes(leaf.leaf_hash) == merkle.leaf_hash(leaf.entry)
        entry = _inner_entry(leaf, event, petition, codes)
        internal += not event.is_public
        assert (entry.event_id, entry.tracking_code, entry.action) == (
            event.id,
            petition.tracking_code,
            event.action,
        )
        assert (entry.from_status, entry.to_status, entry.actor_role) == (
            event.from_status,
            event.to_status,
            event.actor_role,
        )
        assert entry.at == event.at and entry.is_public == event.is_public
        assert entry.agency_code == (codes[event.agency_id] if event.agency_id else None)
        if event.note is None:
            assert entry.note is None and leaf.note_salt is None
        else:
            assert entry.note == log_entry.commitment(leaf.note_salt, event.note)
        if event.action == "SUBMIT":
            assert entry.title == log_entry.commitment(leaf.title_salt, petition.title)
            assert entry.body == log_entry.commitment(leaf.body_salt, petition.body)
        else:
            assert entry.title is entry.body is None
        if event.action == "ANSWER":
            k = answered.get(petition.id, 0)
            answered[petition.id] = k + 1
            answer = answers[petition.id][k]
            assert entry.seal is not None
            assert (entry.seal.signature, entry.seal.key_id, entry.seal.body_sha256) == (
                answer.signature,
                answer.key_id,
                answer.body_sha256,
            )
        else:
            assert entry.seal is None
    assert internal > 0, "the histories have internal events"
    return [bytes(leaf.entry) for leaf in leaves]


def _inner_entry(
    leaf: LogEntry, event: PetitionEvent, petition: Petition, codes: dict[int, str]
) -> Entry:
    """The leaf's entry. An internal event's leaf is blinded: it shows only the event's id,
    and commits, with the stored salt, to the entry the event makes (checked here)."""
    parsed = log_entry.parse_leaf(bytes(leaf.entry))
    if event.is_public:
        assert isinstance(parsed, Entry) and leaf.blinding_salt is None
        return parsed
    assert isinstance(parsed, log_entry.Blinded) and parsed.event_id == event.id
    lines = bytes(leaf.entry).split(b"\n")
    assert lines[:3] == [b"pakn-log-entry/v1", f"event {event.id}".encode(), b"public 0"]
    assert petition.tracking_code.encode() not in leaf.entry
    inner = Entry(
        event_id=event.id,
        tracking_code=petition.tracking_code,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        at=event.at,
        actor_role=event.actor_role,
        agency_code=codes[event.agency_id] if event.agency_id else None,
        is_public=False,
        note=log_entry.commitment(leaf.note_salt, event.note) if event.note else None,
    )
    assert log_entry.Blinded.of(inner, bytes(leaf.blinding_salt)) == parsed
    return inner


async def _check_tree(session: AsyncSession, entries: list[bytes]) -> None:
    size = await log.tree_size(session)
    assert size == len(entries)
    root = await log.root(session, size)
    assert root == rfc9162.mth(entries)
    stored = {(h.level, h.position): bytes(h.hash) for h in await session.scalars(select(LogHash))}
    assert set(stored) == set(tiles.completed(0, size))
    for position in range(size // tiles.TILE_WIDTH):
        chunk = entries[position * tiles.TILE_WIDTH : (position + 1) * tiles.TILE_WIDTH]
        assert stored[(1, position)] == rfc9162.mth(chunk)
    for index in sorted({0, 1, 255, 256, 257, size // 2, size - 1}):
        proof = await log.inclusion_proof(session, index, size)
        assert proof == rfc9162.path(index, entries)
        merkle.verify_inclusion(index, size, merkle.leaf_hash(entries[index]), proof, root)
    for old in sorted({1, 7, 256, 300, size - 1, size}):
        proof = await log.consistency_proof(session, old, size)
        assert proof == rfc9162.proof(old, entries[:size])
        merkle.verify_consistency(old, size, rfc9162.mth(entries[:old]), root, proof)
    bundle, count = await log.entry_bundle(session, 0, tiles.TILE_WIDTH)
    assert count == tiles.TILE_WIDTH
    first = [len(e).to_bytes(2, "big") + e for e in entries[: tiles.TILE_WIDTH]]
    assert bundle == b"".join(first)
    assert await log.tile(session, 0, 0, 3) == b"".join(merkle.leaf_hash(e) for e in entries[:3])


async def test_every_writer_appends_the_events_leaves_in_order(
    empty_database: str, engine: AsyncEngine
) -> None:
    await load_demo(engine, 70, 3, key_encryption_key=TEST_KEK, now=NOW)
    tokens = await make_tokens(empty_database)
    with serving_workflow(empty_database, tokens) as workflow:
        workflow.answered()
        workflow.submit(isPrivate=True)
        workflow.assigned()
    async with session_factory(engine)() as session:
        entries = await _check_leaves(session)
        assert len(entries) > 300, "the tree spans more than one tile"
        await _check_tree(session, entries)


async def test_the_migration_gives_the_events_written_before_it_their_leaves(
    empty_database: str, engine: AsyncEngine
) -> None:
    await load_demo(engine, 70, 4, key_encryption_key=TEST_KEK, now=NOW)
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.downgrade, config, "0013")
    await asyncio.to_thread(command.upgrade, config, "head")
    async with session_factory(engine)() as session:
        await _check_tree(session, await _check_leaves(session))
