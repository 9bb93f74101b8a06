"""The persisted-query table: documents by SHA-256, bounded by count and bytes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import PersistedQuery

_EVICT = text(
    """
    DELETE FROM persisted_queries WHERE sha256 IN (
      SELECT sha256 FROM (
        SELECT sha256,
               row_number() OVER (ORDER BY used_at DESC, sha256) AS place,
               sum(size) OVER (ORDER BY used_at DESC, sha256 ROWS UNBOUNDED PRECEDING) AS held
        FROM persisted_queries
      ) ranked
      WHERE place > :max_documents OR held > :max_bytes
    )
    """
)
"""The least recently registered documents beyond either bound."""


async def find(session: AsyncSession, sha256: str) -> str | None:
    return await session.scalar(
        select(PersistedQuery.document).where(PersistedQuery.sha256 == sha256)
    )


async def store(session: AsyncSession, sha256: str, document: str, now: datetime) -> None:
    """Insert the document, or mark an already stored one as just used."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    size = len(document.encode())
    statement = insert(PersistedQuery).values(
        sha256=sha256, document=document, size=size, used_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["sha256"], set_={"used_at": now})
    )


async def evict(session: AsyncSession, max_documents: int, max_bytes: int) -> None:
    """Delete the least recently registered documents until both bounds hold."""
    count, held = (
        await session.execute(select(func.count(), func.coalesce(func.sum(PersistedQuery.size), 0)))
    ).one()
    if count > max_documents or held > max_bytes:
        await session.execute(_EVICT, {"max_documents": max_documents, "max_bytes": max_bytes})
