"""Bring a database to a servable state: migrated and holding reference data."""

from __future__ import annotations

import asyncio
import logging

from app.domain.key_wrapping import KeyEncryptionKey
from db.engine import is_sqlite, make_sqlite_file_private, open_engine, session_factory
from db.keys import require_keys_open
from db.migrate import SchemaState, Standing, known_revisions, schema_state, upgrade
from db.seed import seed_reference_data

logger = logging.getLogger("pakn.bootstrap")


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
    migrated past 0007.

    A schema a newer pakn migrated is left as it is: served, if it names this code among
    its readers (`Standing.AHEAD`; its reference data is the newer code's), else refused
    with `SchemaTooNew`."""
    if is_sqlite(database_url):
        make_sqlite_file_private(database_url)
    async with open_engine(database_url) as engine, engine.connect() as connection:
        schema = await schema_state(connection)
    known = known_revisions()
    standing = schema.standing(known)
    if standing is Standing.UNSERVABLE:
        raise SchemaTooNew(schema, known[-1])
    if standing is Standing.AHEAD:
        logger.warning(
            "the schema is at migration %s of a newer pakn, which code from %s on serves: "
            "serving it without migrating (this code's newest is %s)",
            schema.revision,
            schema.oldest_reader,
            known[-1],
        )
        return
    await asyncio.to_thread(upgrade, database_url, key_encryption_key=key_encryption_key)
    await seed(database_url, key_encryption_key)


class SchemaTooNew(Exception):
    """The schema is at a newer pakn's migration, one that this code cannot serve."""

    def __init__(self, schema: SchemaState, head: str) -> None:
        super().__init__(
            f"the database is at migration {schema.revision} of a newer pakn, which code "
            f"from {schema.oldest_reader or 'that migration'} on serves; this code's newest "
            f"is {head}: run the newer pakn"
        )
