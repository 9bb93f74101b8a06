"""Loading into SQLite (and any dialect but PostgreSQL): Core `insert()` executemany, one
transaction per chunk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.demo.chunks import build_chunk
from app.demo.rows import TABLE_COLUMNS
from app.demo.spec import LoadSpec, Position, chunk_count
from app.domain.chain import GENESIS
from db.models import Answer, Assignment, Base, Petition, PetitionEvent

_TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in TABLE_COLUMNS}
_MOMENT_COLUMNS = {
    "petitions": (
        "submitted_at",
        "accepted_at",
        "clock_started_at",
        "deadline_at",
        "answered_at",
        "closed_at",
        "escalated_at",
        "last_urged_at",
        "overdue_deadline_at",
    ),
    "petitioner_contacts": (),
    "assignments": ("assigned_at", "ended_at"),
    "answers": ("answered_at",),
    "ratings": ("rated_at",),
    "petition_events": ("at",),
}
"""The columns holding moments, which go in as aware datetimes."""


def _aware(moment: int | None) -> datetime | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC)


def _parameters(table: str, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    columns = TABLE_COLUMNS[table]
    moments = [columns.index(name) for name in _MOMENT_COLUMNS[table]]
    parameters: list[dict[str, Any]] = []
    for row in rows:
        values = list(row)
        for index in moments:
            values[index] = _aware(values[index])
        parameters.append(dict(zip(columns, values, strict=True)))
    return parameters


async def load_with_inserts(engine: AsyncEngine, spec: LoadSpec) -> None:
    async with engine.connect() as conn:
        position = await _start_position(conn)
    for index in range(chunk_count(spec.total)):
        chunk = build_chunk(spec, index, position)
        async with engine.begin() as conn:
            for table, rows in chunk.tables.items():
                if rows:
                    await conn.execute(insert(_TABLES[table]), _parameters(table, rows))
        position = chunk.end


async def _start_position(conn: AsyncConnection) -> Position:
    ids = [
        int((await conn.execute(select(func.coalesce(func.max(model.id), 0)))).scalar_one()) + 1
        for model in (Petition, Assignment, Answer, PetitionEvent)
    ]
    head = await conn.scalar(select(PetitionEvent.hash).order_by(PetitionEvent.id.desc()).limit(1))
    return Position(*ids, head or GENESIS)
