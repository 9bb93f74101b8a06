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
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Blob, BlobChunk

CHUNK = 256 * 1024


async def save(
    session: AsyncSession, sha256: str, size: int, content: BinaryIO, now: datetime
) -> None:
    """Store `content` (`size` bytes whose SHA-256 is `sha256`) unless it is stored."""
    if await session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256)) is not None:
        return
    await session.execute(insert(Blob).values(sha256=sha256, size=size, created_at=now))
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
