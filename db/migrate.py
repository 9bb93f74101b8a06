"""Alembic, driven from code: the only way pakn's schema is created or changed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
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


async def database_revision(connection: AsyncConnection) -> str | None:
    """The revision the database's schema is at; None before the first migration."""
    try:
        return await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        if connection.in_transaction():
            await connection.rollback()
        return None


def database_revision_now(database_url: str) -> str | None:
    """`database_revision`, synchronously, on a connection of its own."""

    async def read() -> str | None:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await database_revision(connection)
        finally:
            await engine.dispose()

    return asyncio.run(read())
