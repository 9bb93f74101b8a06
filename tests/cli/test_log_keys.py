"""The transparency log's key is kept like the sealing keys (#16, point 2), on both
databases: encrypted under the key encryption key, re-encrypted by `pakn keys rekey` when
the secret key changes, and rotated by `pakn keys rotate --log` (the origin kept; the next
key listed first, the old one kept)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from app.domain.key_wrapping import KeyEncryptionKey
from db.engine import create_engine, session_factory
from db.models import LogKey
from tests.support.cli import pakn
from tests.support.log import sign
from tests.support.workflow import TEST_KEY

NEW_KEY = "the-new-secret-key-of-32-bytes-or-more-0123"
NEW_KEK = KeyEncryptionKey.derived_from(NEW_KEY)


async def _log_keys(url: str) -> list[LogKey]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return list(await session.scalars(select(LogKey).order_by(LogKey.created_at)))
    finally:
        await engine.dispose()


def test_the_log_key_is_rekeyed_and_rotated(empty_database: str, tmp_path: Path) -> None:
    url = empty_database
    first_key, _signer = asyncio.run(sign(url, 5, 30))
    old = tmp_path / "old-key"
    old.write_text(TEST_KEY + "\n")
    environment = {"PAKN_SECRET_KEY": NEW_KEY, "PATH": ""}
    done = pakn(
        "keys", "rekey", "--old-key-file", str(old), database_url=url, environment=environment
    )
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 1 transparency log key(s)" in done.stderr
    (stored,) = asyncio.run(_log_keys(url))
    assert NEW_KEK.opens(stored.verifier_key, stored.private_key)

    rotated = pakn("keys", "rotate", "--log", database_url=url, environment=environment)
    assert rotated.returncode == 0, rotated.stderr
    new_key = rotated.stdout.strip()
    assert new_key.split("+")[0] == first_key.split("+")[0] == "127.0.0.1:8000/log"
    assert new_key != first_key
    old_row, new_row = asyncio.run(_log_keys(url))
    assert old_row.retired_at is not None and new_row.retired_at is None
    assert NEW_KEK.opens(new_row.verifier_key, new_row.private_key)
