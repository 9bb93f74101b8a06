"""Reads of the transparency log (#16): its size, tiles, entry bundles and proofs.

A proof is folded from stored tiles (`app.domain.merkle`, `app.domain.tiles`): whatever
the tree's size, it reads the few tiles its subtrees lie in, one statement a tile, never
the leaves themselves above the one tile of the leaf.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.domain import merkle, tiles
from app.domain.merkle import Subtree
from db.models import LogCheckpoint, LogEntry, LogHash


async def tree_size(reader: AsyncSession | AsyncConnection) -> int:
    return int(await reader.scalar(select(func.max(LogEntry.event_id))) or 0)


async def newest_checkpoint(connection: AsyncConnection, *columns: Any) -> Row[Any] | None:
    """`columns` of the newest checkpoint (one index lookup); None before the first."""
    newest = select(*columns).order_by(LogCheckpoint.tree_size.desc()).limit(1)
    return (await connection.execute(newest)).first()


async def latest_signed(engine: AsyncEngine) -> tuple[int, bytes] | None:
    """The latest checkpoint's size and root, for the exports."""
    async with engine.connect() as connection:
        row = await newest_checkpoint(connection, LogCheckpoint.tree_size, LogCheckpoint.root)
    return (int(row[0]), bytes(row[1])) if row is not None else None


async def tile(session: AsyncSession, level: int, index: int, width: int) -> bytes:
    """The first `width` hashes of tile `index` of `level`, concatenated (fewer when the
    tree is smaller: the caller checks the size first)."""
    return b"".join(await _tile_hashes(session, level, index, width))


async def _tile_hashes(session: AsyncSession, level: int, index: int, width: int) -> list[bytes]:
    first = index * tiles.TILE_WIDTH
    if level == 0:
        rows = await session.scalars(
            select(LogEntry.leaf_hash)
            .where(LogEntry.event_id > first, LogEntry.event_id <= first + width)
            .order_by(LogEntry.event_id)
        )
    else:
        rows = await session.scalars(
            select(LogHash.hash)
            .where(
                LogHash.level == level,
                LogHash.position >= first,
                LogHash.position < first + width,
            )
            .order_by(LogHash.position)
        )
    return [bytes(h) for h in rows]


async def entry_bundle(session: AsyncSession, index: int, width: int) -> tuple[bytes, int]:
    """Entries of leaves index * 256 on, each after its big-endian uint16 length; and how
    many there were."""
    first = index * tiles.TILE_WIDTH
    rows = list(
        await session.scalars(
            select(LogEntry.entry)
            .where(LogEntry.event_id > first, LogEntry.event_id <= first + width)
            .order_by(LogEntry.event_id)
        )
    )
    return b"".join(len(e).to_bytes(2, "big") + bytes(e) for e in rows), len(rows)


async def entry(session: AsyncSession, index: int) -> bytes | None:
    found = await session.scalar(select(LogEntry.entry).where(LogEntry.event_id == index + 1))
    return bytes(found) if found is not None else None


@dataclass(frozen=True)
class Salts:
    note: bytes | None
    title: bytes | None
    body: bytes | None
    blinding: bytes | None


async def salts_by_event(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, Salts]:
    salts = (LogEntry.note_salt, LogEntry.title_salt, LogEntry.body_salt, LogEntry.blinding_salt)
    rows = await session.execute(
        select(LogEntry.event_id, *salts).where(LogEntry.event_id.in_(event_ids))
    )
    return {
        event_id: Salts(*(bytes(s) if s is not None else None for s in salts))
        for event_id, *salts in rows
    }


class _Tiles:
    """The tiles a set of subtrees lies in, read once each."""

    def __init__(self) -> None:
        self.hashes: dict[tuple[int, int], list[bytes]] = {}

    async def read(self, session: AsyncSession, subtrees: Iterable[Subtree]) -> None:
        for subtree in subtrees:
            run = tiles.run_of(subtree)
            key = (run.level, run.tile)
            if key not in self.hashes:
                width = tiles.TILE_WIDTH
                self.hashes[key] = await _tile_hashes(session, run.level, run.tile, width)

    def lookup(self, subtree: Subtree) -> bytes:
        run = tiles.run_of(subtree)
        stored = self.hashes[(run.level, run.tile)]
        offset = run.start - run.tile * tiles.TILE_WIDTH
        hashes = stored[offset : offset + run.count]
        if len(hashes) != run.count:
            raise LookupError(f"the subtree {subtree} is not stored")
        return tiles.fold(hashes)


async def _hashes(session: AsyncSession, ranges: list[tuple[int, int]]) -> list[bytes]:
    read = _Tiles()
    await read.read(session, (s for a, b in ranges for s in merkle.subtrees(a, b)))
    return [merkle.range_hash(a, b, read.lookup) for a, b in ranges]


async def root(session: AsyncSession, size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    (found,) = await _hashes(session, [(0, size)])
    return found


async def inclusion_proof(session: AsyncSession, index: int, size: int) -> list[bytes]:
    return await _hashes(session, merkle.inclusion_ranges(index, size))


async def consistency_proof(session: AsyncSession, old_size: int, new_size: int) -> list[bytes]:
    return await _hashes(session, merkle.consistency_ranges(old_size, new_size))
