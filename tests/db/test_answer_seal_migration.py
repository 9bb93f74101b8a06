"""Migration 0007 (#14, point 3): answers stored before it keep their version 1 seal,
get their body's SHA-256 (in batches, past one batch here), and still verify, from the
database and through the API, with the README's verifier; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from app.domain.signing import new_key_pair, sign_answer, verify_answer
from db.engine import open_engine
from db.migrate import upgrade
from tests.support.databases import fresh_database
from tests.support.seal_check import check_answer
from tests.support.server import RunningServer
from tests.support.workflow import TEST_KEK, workflow_settings

ANSWERS = 2100
"""More than the migration's batch of 2,000."""
CODE = "PAKN-2026-000001"
AT = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
KEYS = new_key_pair("BTC", date(2026, 1, 5))


def _body(n: int) -> str:
    return f"Bộ Tài chính trả lời phản ánh số {n}: hồ sơ đã được giải quyết đúng hạn."


async def _store_the_old_way(url: str) -> None:
    """Rows as pakn wrote them at revision 0006: raw key, version 1 signatures."""
    async with open_engine(url) as engine, engine.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO agencies (id, code, kind, name, search_text) "
                "VALUES (1, 'BTC', 'MINISTRY', 'Bộ Tài chính', 'btc')"
            )
        )
        await connection.execute(
            sa.text(
                "INSERT INTO agency_keys (key_id, agency_id, public_key, private_key, "
                "created_at) VALUES (:key_id, 1, :public, :private, :at)"
            ),
            {
                "key_id": KEYS.key_id,
                "public": KEYS.public_key,
                "private": KEYS.private_key,
                "at": AT,
            },
        )
        await connection.execute(
            sa.text(
                "INSERT INTO petitions (id, tracking_code, channel, kind, subject, title, body,"
                " is_private, status, agency_id, submitted_at, answered_at, follow_up_count,"
                " version, search_text) VALUES (1, :code, 'CITIZEN', 'REFLECTION',"
                " 'POLICY', 'Tiêu đề', 'Nội dung', false, 'ANSWERED', 1, :at, :at, 0, 2, '')"
            ),
            {"code": CODE, "at": AT},
        )
        await connection.execute(
            sa.text(
                "INSERT INTO answers (id, petition_id, agency_id, body, answered_at, signature,"
                " key_id) VALUES (:id, 1, 1, :body, :at, :signature, :key_id)"
            ),
            [
                {
                    "id": n,
                    "body": _body(n),
                    "at": AT,
                    "signature": sign_answer(KEYS.private_key, CODE, "BTC", _body(n), AT),
                    "key_id": KEYS.key_id,
                }
                for n in range(1, ANSWERS + 1)
            ],
        )


async def _answers(url: str) -> list[sa.Row[tuple[int, str, str, int, str]]]:
    async with open_engine(url) as engine, engine.connect() as connection:
        result = await connection.execute(
            sa.text(
                "SELECT id, body, signature, seal_version, body_sha256 FROM answers ORDER BY id"
            )
        )
        return list(result)


def test_answers_sealed_before_keep_version_1_and_verify(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url, "0006")
        asyncio.run(_store_the_old_way(url))
        upgrade(url, key_encryption_key=TEST_KEK)
        rows = asyncio.run(_answers(url))
        assert len(rows) == ANSWERS
        for answer_id, body, signature, version, digest in rows:
            assert version == 1 and body == _body(answer_id)
            assert digest == hashlib.sha256(body.encode()).hexdigest()
            assert verify_answer(KEYS.public_key, signature, CODE, "BTC", body, AT, version=1)
        with RunningServer(workflow_settings(url)) as server:
            query = """query($c: String!) { petition(trackingCode: $c) { answers {
                body bodySha256 sealVersion signature keyId answeredAt
                agency { code publicKeys { keyId publicKey } } } } }"""
            answers = server.gql(query, {"c": CODE})["petition"]["answers"]
    assert len(answers) == ANSWERS
    assert {answer["sealVersion"] for answer in answers} == {1}
    assert all(check_answer(answer, CODE) == "sealed" for answer in answers[:50])
