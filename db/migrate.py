"""Alembic, driven from code: the only way pakn's schema is created or changed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

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
