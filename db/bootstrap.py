"""Bring a database to a servable state: migrated and holding reference data."""

from __future__ import annotations

import asyncio

from app.domain.key_wrapping import KeyEncryptionKey
from db.engine import open_engine, session_factory
from db.keys import require_keys_open
from db.migrate import upgrade
from db.seed import seed_reference_data


async def seed(database_url: str, key_encryption_key: KeyEncryptionKey | None = None) -> None:
    """The reference data; given the key encryption key, also every agency's sealing key,
    after checking that the stored keys decrypt under it (`db.keys.KeysNotOpening`)."""
    async with open_engine(database_url) as engine, session_factory(engine)() as session:
        if key_encryption_key is not None:
            await require_keys_open(session, key_encryption_key)
        await seed_reference_data(session, key_encryption_key)


async def prepare_database(
    database_url: str, *, key_encryption_key: KeyEncryptionKey | None = None
) -> None:
    """Migrate (in a worker thread, since Alembic runs its own loop) and seed.

    With the key encryption key, migration 0008 encrypts sealing keys stored raw, the
    stored keys are checked to decrypt under it, and agencies without a key get one.
    Without it (tests, tools), no key is made, and a database holding raw keys is not
    migrated past 0007."""
    await asyncio.to_thread(upgrade, database_url, key_encryption_key=key_encryption_key)
    await seed(database_url, key_encryption_key)
