"""Demo petitions (`app.demo`) for tests, loaded as `pakn demo` loads them."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.key_wrapping import KeyEncryptionKey
from db.bootstrap import prepare_database
from db.engine import open_engine
from tests.support.workflow import TEST_KEK

DEMO_PETITIONS = 240
"""The session's demo database (`demo_database`), loaded once per backend for every test
that only reads: enough for agencies on both sides of the ranking minimum (10), twenty
months of statistics, an export of more than three batches of 50, and filters that each
keep some petitions and drop others."""
DEMO_SEED = 7


async def load_demo(
    url: str,
    petitions: int,
    seed: int,
    *,
    prepare: bool = True,
    key_encryption_key: KeyEncryptionKey = TEST_KEK,
) -> int:
    """Add `petitions` deterministic demo petitions (histories up to now) to the database
    at `url`, which is migrated and seeded first unless `prepare` is false (a database a
    server already serves); return how many were added. The agencies' keys are made under
    `key_encryption_key`, by default that of the tests' secret key (`TEST_KEY`)."""
    from app.demo import load_demo as load

    if prepare:
        await prepare_database(url)
    async with open_engine(url) as engine:
        return await load(
            engine, petitions, seed, key_encryption_key=key_encryption_key, now=datetime.now(UTC)
        )
