"""Files' bytes in the database, by SHA-256, a chunk at a time.

The one storage interface attachments use: `save` takes a readable file and writes it in
`CHUNK`-byte rows (each its own INSERT, held by no identity map), `chunks` gives them back
one query at a time, so neither holds more than a chunk in memory. Stored once: a second
file with the same bytes adds no row. PostgreSQL (bytea) and SQLite (BLOB) alike, so that
several hosts on one database share them with no file server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Blob, BlobChunk

CHUNK = 256 * 1024


async def save(
    session: AsyncSession, sha256: str, size: int, content: BinaryIO, now: datetime
) -> None:
    """Store `content` (`size` bytes whose SHA-256 is `sha256`) unless it is stored: the
    row is inserted or left (ON CONFLICT DO NOTHING), so two writers storing the same new
    file at once do not fail; the one whose row went in writes the chunks."""
    dialect = session.get_bind().dialect.name
    into = sqlite_insert(Blob) if dialect == "sqlite" else postgresql_insert(Blob)
    added = await session.execute(
        into.values(sha256=sha256, size=size, created_at=now)
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(Blob.sha256)
    )
    if added.scalar() is None:
        return
    content.seek(0)
    seq = 0
    while chunk := content.read(CHUNK):
        await session.execute(insert(BlobChunk).values(sha256=sha256, seq=seq, data=chunk))
        seq += 1


async def chunks(
    sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]], sha256: str
) -> AsyncIterator[bytes]:
    """The stored bytes of `sha256`, chunk by chunk, each read in a short session of its
    own (a download may be slow; it holds no connection between chunks)."""
    seq = 0
    while True:
        async with sessions() as session:
            data = await session.scalar(
                select(BlobChunk.data).where(BlobChunk.sha256 == sha256, BlobChunk.seq == seq)
            )
        if data is None:
            return
        yield bytes(data)
        seq += 1
