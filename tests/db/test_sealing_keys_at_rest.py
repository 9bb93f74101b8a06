"""Agencies' sealing keys are stored encrypted (#14, point 2): migration 0008 encrypts the
raw keys stored before it, a database dump alone cannot sign, and a changed secret key
is refused at start until `pakn keys rekey` re-encrypts the keys; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.domain.key_wrapping import KeyEncryptionKey, KeyUnwrapError
from app.domain.signing import new_key_pair, verify_answer
from app.domain.timezone import now
from db.bootstrap import prepare_database
from db.engine import open_engine, session_factory
from db.migrate import downgrade, upgrade
from db.models import Agency, AgencyKey, Answer, Petition
from db.seed import seed_reference_data
from tests.support.cli import pakn
from tests.support.databases import fresh_database
from tests.support.server import free_port
from tests.support.workflow import TEST_KEK, TEST_KEY, make_tokens, serving_workflow

NEW_KEY = "the-new-secret-key-of-32-bytes-or-more-0123"
NEW_KEK = KeyEncryptionKey.derived_from(NEW_KEY)


async def _stored_keys(url: str) -> dict[str, AgencyKey]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        return {key.key_id: key for key in await session.scalars(select(AgencyKey))}


async def _add_raw_keys(url: str) -> dict[str, bytes]:
    """Reference data and, as migrations 0002 to 0007 stored them, raw keys: BTC's current
    and retired ones and the Government Office's."""
    async with open_engine(url) as engine, session_factory(engine)() as session:
        await seed_reference_data(session)
        agencies = {a.code: a for a in await session.scalars(select(Agency))}
        raw: dict[str, bytes] = {}
        for code, day, retired in (("BTC", 1, now()), ("BTC", 2, None), ("VPCP", 2, None)):
            pair = new_key_pair(code, date(2026, 11, day))
            session.add(
                AgencyKey(
                    key_id=pair.key_id,
                    agency_id=agencies[code].id,
                    public_key=pair.public_key,
                    private_key=pair.private_key,
                    created_at=now(),
                    retired_at=retired,
                )
            )
            raw[pair.key_id] = pair.private_key
        await session.commit()
        return raw


async def _answers_verify(url: str) -> int:
    """How many answers there are; each one's seal checked against its key's public half."""
    async with open_engine(url) as engine, session_factory(engine)() as session:
        keys = {key.key_id: key for key in await session.scalars(select(AgencyKey))}
        rows = await session.execute(
            select(Answer, Petition.tracking_code, Agency.code)
            .join(Petition, Petition.id == Answer.petition_id)
            .join(Agency, Agency.id == Answer.agency_id)
        )
        count = 0
        for answer, tracking_code, agency_code in rows:
            assert verify_answer(
                keys[answer.key_id].public_key,
                answer.signature,
                tracking_code,
                agency_code,
                answer.body,
                answer.answered_at,
                version=answer.seal_version,
                digest=answer.body_sha256,
            ), answer.key_id
            count += 1
        return count


def _answer_one(url: str, secret_key: str = TEST_KEY) -> str:
    """A petition answered by BTC through a real server; the answer's key id."""
    tokens = asyncio.run(make_tokens(url))
    with serving_workflow(url, tokens, secret_key=secret_key) as workflow:
        petition, _secret = workflow.answered()
    return str(petition["answers"][0]["keyId"])


def test_migration_0008_encrypts_the_raw_keys_and_they_still_sign(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url, "0007")
        raw = asyncio.run(_add_raw_keys(url))
        with pytest.raises(RuntimeError, match="given no key encryption key"):
            upgrade(url)
        assert {k: bytes(v.private_key) for k, v in asyncio.run(_stored_keys(url)).items()} == raw

        upgrade(url, key_encryption_key=TEST_KEK)
        stored = asyncio.run(_stored_keys(url))
        for key_id, key in stored.items():
            assert len(key.private_key) == 61 and raw[key_id] not in key.private_key
            assert TEST_KEK.unwrap(key_id, key.private_key) == raw[key_id]

        with pytest.raises(RuntimeError, match="given no key encryption key"):
            downgrade(url, "0007")
        with pytest.raises(RuntimeError, match="does not decrypt"):
            downgrade(url, "0007", key_encryption_key=NEW_KEK)
        downgrade(url, "0007", key_encryption_key=TEST_KEK)
        assert {k: bytes(v.private_key) for k, v in asyncio.run(_stored_keys(url)).items()} == raw
        upgrade(url, key_encryption_key=TEST_KEK)
        upgrade(url, key_encryption_key=TEST_KEK)
        again = asyncio.run(_stored_keys(url))
        assert all(TEST_KEK.unwrap(k, v.private_key) == raw[k] for k, v in again.items())

        asyncio.run(prepare_database(url, key_encryption_key=TEST_KEK))
        current_btc = next(k for k in raw if k.startswith("BTC-2026-11-02"))
        assert _answer_one(url) == current_btc
        assert asyncio.run(_answers_verify(url)) == 1


def _dump(backend: str, url: str) -> bytes:
    """What someone who copies the database holds: the SQLite files' bytes, or pg_dump."""
    if backend == "sqlite":
        database = Path(make_url(url).database or "")
        return b"".join(p.read_bytes() for p in sorted(database.parent.glob(database.name + "*")))
    parts = make_url(url)
    server = ["-h", parts.host or "127.0.0.1", "-p", str(parts.port or 5432)]
    return subprocess.run(
        ["pg_dump", *server, "-U", parts.username or "postgres", "-w", parts.database or ""],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout


def _public_half(candidate: bytes) -> str:
    public = Ed25519PrivateKey.from_private_bytes(candidate).public_key().public_bytes_raw()
    return base64.b64encode(public).decode()


def test_a_database_dump_alone_cannot_sign(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        asyncio.run(prepare_database(url, key_encryption_key=TEST_KEK))
        answered_with = _answer_one(url)
        assert asyncio.run(_answers_verify(url)) == 1
        dump = _dump(backend, url)
        stored = asyncio.run(_stored_keys(url))
        assert answered_with in stored and len(stored) >= 51
        assert answered_with.encode() in dump, "the dump holds the key rows"
        other_kek = KeyEncryptionKey.derived_from(NEW_KEY)
        for key_id, key in stored.items():
            private = TEST_KEK.unwrap(key_id, key.private_key)
            assert _public_half(private) == key.public_key
            for form in (private, private.hex().encode(), base64.b64encode(private)):
                assert form not in dump, key_id
            blob = bytes(key.private_key)
            for start in range(len(blob) - 31):
                assert _public_half(blob[start : start + 32]) != key.public_key
            with pytest.raises(KeyUnwrapError, match=key_id):
                other_kek.unwrap(key_id, blob)


def _pakn_with(secret_key: str, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return pakn(*args, database_url=url, environment={"PAKN_SECRET_KEY": secret_key, "PATH": ""})


def _serve_refused(url: str, secret_key: str) -> subprocess.CompletedProcess[str]:
    """`pakn serve` with `secret_key`, which must stop at start (bounded: it would serve)."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(free_port())],
        env={"PAKN_SECRET_KEY": secret_key, "PAKN_DATABASE_URL": url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_changed_secret_key_is_refused_until_the_keys_are_rekeyed(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        asyncio.run(prepare_database(url, key_encryption_key=TEST_KEK))
        _answer_one(url)
        before = asyncio.run(_stored_keys(url))

        refused = _serve_refused(url, NEW_KEY)
        assert refused.returncode == 2, refused.stderr
        assert "pakn keys rekey --old-key-file" in refused.stderr
        assert _pakn_with(NEW_KEY, url, "db", "seed").returncode == 2

        wrong = tmp_path / "wrong-key"
        wrong.write_text("not-the-old-key-but-32-bytes-long-anyway")
        failed = _pakn_with(NEW_KEY, url, "keys", "rekey", "--old-key-file", str(wrong))
        assert failed.returncode == 1 and "nothing was changed" in failed.stderr
        unchanged = asyncio.run(_stored_keys(url))
        assert {k: bytes(v.private_key) for k, v in unchanged.items()} == {
            k: bytes(v.private_key) for k, v in before.items()
        }

        old = tmp_path / "old-key"
        old.write_text(TEST_KEY + "\n")
        done = _pakn_with(NEW_KEY, url, "keys", "rekey", "--old-key-file", str(old))
        assert done.returncode == 0, done.stderr
        assert f"re-encrypted {len(before)} sealing key(s); 0 already" in done.stderr
        again = _pakn_with(NEW_KEY, url, "keys", "rekey", "--old-key-file", str(old))
        assert f"re-encrypted 0 sealing key(s); {len(before)} already" in again.stderr
        assert _pakn_with(NEW_KEY, url, "db", "seed").returncode == 0

        _answer_one(url, secret_key=NEW_KEY)
        assert asyncio.run(_answers_verify(url)) == 2
        for key_id, key in asyncio.run(_stored_keys(url)).items():
            assert NEW_KEK.unwrap(key_id, key.private_key) == TEST_KEK.unwrap(
                key_id, before[key_id].private_key
            )


def test_rekey_from_a_previous_encryption_key_and_rotate_every_agency(
    backend: str, tmp_path: Path
) -> None:
    given = KeyEncryptionKey(bytes(range(32)))
    encoded = base64.b64encode(given.raw).decode()
    with fresh_database(backend, tmp_path) as url:
        asyncio.run(prepare_database(url, key_encryption_key=TEST_KEK))
        previous = tmp_path / "previous-kek"
        previous.write_text(base64.b64encode(TEST_KEK.raw).decode())
        environment = {"PAKN_SECRET_KEY": TEST_KEY, "PAKN_KEY_ENCRYPTION_KEY": encoded}
        rekey = ["keys", "rekey", "--old-encryption-key-file", str(previous)]
        done = pakn(*rekey, database_url=url, environment=environment)
        assert done.returncode == 0, done.stderr
        assert all(given.opens(k, v.private_key) for k, v in asyncio.run(_stored_keys(url)).items())

        rotated = pakn("keys", "rotate", "--all", database_url=url, environment=environment)
        assert rotated.returncode == 0, rotated.stderr
        new_ids = rotated.stdout.split()
        assert len(new_ids) == 51
        stored = asyncio.run(_stored_keys(url))
        assert all(stored[key_id].retired_at is None for key_id in new_ids)
        assert all(given.opens(key_id, stored[key_id].private_key) for key_id in new_ids)
        assert sum(key.retired_at is None for key in stored.values()) == 51

        lost = environment | {"PAKN_KEY_ENCRYPTION_KEY": base64.b64encode(bytes(32)).decode()}
        assert pakn("db", "seed", database_url=url, environment=lost).returncode == 2
        assert pakn("keys", "rotate", "--all", database_url=url, environment=lost).returncode == 0
        assert pakn("db", "seed", database_url=url, environment=lost).returncode == 0, "a lost key"
        # the keys retired by that rotation open under no key given: a later re-keying
        # leaves them and succeeds
        old_file = tmp_path / "lost-kek"
        old_file.write_text(lost["PAKN_KEY_ENCRYPTION_KEY"])
        later = environment | {
            "PAKN_KEY_ENCRYPTION_KEY": base64.b64encode(bytes([7]) * 32).decode()
        }
        rekeyed = pakn(
            "keys",
            "rekey",
            "--old-encryption-key-file",
            str(old_file),
            database_url=url,
            environment=later,
        )
        assert rekeyed.returncode == 0, rekeyed.stderr
        assert "re-encrypted 51 sealing key(s)" in rekeyed.stderr
        assert "retired key(s) decrypt under neither and are left" in rekeyed.stderr
        assert pakn("db", "seed", database_url=url, environment=later).returncode == 0

        assert pakn("keys", "rotate", database_url=url, environment=environment).returncode == 2
        secret = ["keys", "rekey", "--old-key-file", str(tmp_path / "absent")]
        assert pakn(*secret, database_url=url, environment=environment).returncode == 2
