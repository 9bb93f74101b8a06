"""Looking for personal data anywhere in a database: what an erasure must leave behind.

PostgreSQL: every column of a text type of every table, searched by SQL. SQLite: the bytes
of the database file (and of its write-ahead log) after a checkpoint, so that deleted rows
whose space was merely marked free would be found too.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from db.engine import is_sqlite, open_engine
from db.models import Petition, PetitionerContact, PetitionEvent

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


async def _postgres_hits(url: str, values: list[str]) -> list[str]:
    hits = []
    async with open_engine(url) as engine, engine.connect() as connection:
        columns = (
            await connection.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type = ANY(:types)"
                ),
                {"types": list(TEXT_TYPES)},
            )
        ).all()
        assert columns, "no text column found"
        for table, column in columns:
            for value in values:
                found = await connection.scalar(
                    text(
                        f'SELECT count(*) FROM "{table}" WHERE strpos("{column}"::text, :value) > 0'
                    ),
                    {"value": value},
                )
                if found:
                    hits.append(f"{table}.{column} holds {value!r}")
    return hits


def _checkpoint(database: Path) -> None:
    connection = sqlite3.connect(database)
    try:
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "a reader kept the checkpoint from completing"
    finally:
        connection.close()


def _file_bytes(path: Path) -> bytes:
    """The file's bytes, read by another process: closing a descriptor of a database file
    in this one would drop every POSIX lock this process holds on it, those of the server
    running here too, and the next `pakn` to close would take itself for the last user and
    delete the log and the shared memory under the server's feet."""
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout


def _sqlite_hits(url: str, values: list[str], checkpoint: bool) -> list[str]:
    database = Path(make_url(url).database or "")
    if checkpoint:
        _checkpoint(database)
    hits = []
    for suffix in ("", "-wal"):
        path = database.with_name(database.name + suffix)
        if not path.exists():
            continue
        data = _file_bytes(path)
        hits += [f"{path.name} holds {value!r}" for value in values if value.encode() in data]
    return hits


def places_holding(url: str, values: list[str], *, checkpoint: bool = True) -> list[str]:
    """Where in the database at `url` any of `values` is found; empty when nowhere. On
    SQLite the log is checkpointed first unless `checkpoint` is false: then the bytes are
    read as pakn left them, the file's and the log's."""
    if is_sqlite(url):
        return _sqlite_hits(url, values, checkpoint)
    return asyncio.run(_postgres_hits(url, values))


@dataclass(frozen=True)
class Kept:
    """A petition as the retention rule sees it, and whether its contact data is kept."""

    status: str
    submitted_at: datetime
    last_event_at: datetime
    has_contact: bool
    erased_at: datetime | None


async def read_petitions(url: str) -> dict[int, Kept]:
    async with open_engine(url) as engine, engine.connect() as connection:
        last = (
            select(PetitionEvent.petition_id, func.max(PetitionEvent.at).label("at"))
            .group_by(PetitionEvent.petition_id)
            .subquery()
        )
        contacts = set(await connection.scalars(select(PetitionerContact.petition_id)))
        rows = (
            await connection.execute(
                select(
                    Petition.id,
                    Petition.status,
                    Petition.submitted_at,
                    last.c.at,
                    Petition.contact_erased_at,
                ).join(last, last.c.petition_id == Petition.id)
            )
        ).all()
    return {row[0]: Kept(row[1], row[2], row[3], row[0] in contacts, row[4]) for row in rows}


async def erasure_events(url: str) -> list[tuple[int, str, str, str, str | None]]:
    async with open_engine(url) as engine, engine.connect() as connection:
        rows = await connection.execute(
            select(
                PetitionEvent.petition_id,
                PetitionEvent.actor_role,
                PetitionEvent.from_status,
                PetitionEvent.to_status,
                PetitionEvent.note,
            ).where(PetitionEvent.action == "CONTACT_ERASED")
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def contact_values_only_of(url: str, petition_ids: set[int]) -> list[str]:
    """The contact values held by these petitions and by no other (a demo repeats names)."""
    async with open_engine(url) as engine, engine.connect() as connection:
        rows = (
            await connection.execute(
                select(
                    PetitionerContact.petition_id,
                    PetitionerContact.full_name,
                    PetitionerContact.email,
                    PetitionerContact.phone,
                    PetitionerContact.address,
                )
            )
        ).all()
    theirs = {value for row in rows if row[0] in petition_ids for value in row[1:] if value}
    others = {value for row in rows if row[0] not in petition_ids for value in row[1:] if value}
    return sorted(theirs - others)
