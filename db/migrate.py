"""Alembic, driven from code: the only way pakn's schema is created or changed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from app.domain.key_wrapping import KeyEncryptionKey

MIGRATIONS = Path(__file__).parent / "migrations"
KEY_ENCRYPTION_KEY = "key_encryption_key"
"""The `Config.attributes` entry that hands migrations the key encryption key (0008)."""


def alembic_config(database_url: str, key_encryption_key: KeyEncryptionKey | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    if key_encryption_key is not None:
        config.attributes[KEY_ENCRYPTION_KEY] = key_encryption_key
    return config


def upgrade(
    database_url: str,
    revision: str = "head",
    *,
    key_encryption_key: KeyEncryptionKey | None = None,
) -> None:
    """Bring the database to `revision`. Synchronous: call it outside the event loop.
    Migration 0008 needs `key_encryption_key` when the database holds raw sealing keys."""
    command.upgrade(alembic_config(database_url, key_encryption_key), revision)


def downgrade(
    database_url: str, revision: str, *, key_encryption_key: KeyEncryptionKey | None = None
) -> None:
    """Migration 0008's downgrade needs `key_encryption_key` to decrypt stored keys."""
    command.downgrade(alembic_config(database_url, key_encryption_key), revision)


def known_revisions() -> tuple[str, ...]:
    """Every migration this code has, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return tuple(reversed([revision.revision for revision in script.walk_revisions()]))


def head_revision() -> str:
    return known_revisions()[-1]


class Standing(StrEnum):
    """Where a database's schema stands for the code reading it."""

    EMPTY = "empty"
    """No migration has run."""
    AT_HEAD = "at-head"
    PENDING = "pending"
    """At an older migration this code knows: `pakn db upgrade` brings it to the head."""
    AHEAD = "ahead"
    """At a migration of a newer pakn that declares this code among its readers (it only
    added since): this code serves it as it is."""
    UNSERVABLE = "unservable"
    """At a migration of a newer pakn whose oldest reader this code predates."""


@dataclass(frozen=True)
class SchemaState:
    revision: str | None
    oldest_reader: str | None
    """The oldest migration whose code serves this schema (migration 0020's
    `schema_readers`); None on a schema from before 0020."""

    def standing(self, known: Sequence[str]) -> Standing:
        if self.revision is None:
            return Standing.EMPTY
        if self.revision in known:
            return Standing.AT_HEAD if self.revision == known[-1] else Standing.PENDING
        if self.oldest_reader is not None and self.oldest_reader in known:
            return Standing.AHEAD
        return Standing.UNSERVABLE


async def schema_state(connection: AsyncConnection) -> SchemaState:
    """The schema's revision and oldest reader. A database that does not answer raises
    (`db.availability.database_unavailable` tells); only missing tables read as None."""
    tables = await connection.run_sync(
        lambda sync: set(inspect(sync).get_table_names()) & {"alembic_version", "schema_readers"}
    )
    revision = reader = None
    if "alembic_version" in tables:
        revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    if "schema_readers" in tables:
        reader = await connection.scalar(text("SELECT min(oldest_reader) FROM schema_readers"))
    return SchemaState(revision, reader)


def schema_state_now(database_url: str) -> SchemaState:
    """`schema_state`, synchronously, on a connection of its own."""

    async def read() -> SchemaState:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await schema_state(connection)
        finally:
            await engine.dispose()

    return asyncio.run(read())
