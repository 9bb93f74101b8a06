"""Agencies' sealing keys encrypted at rest with AES-256-GCM (#14, point 2).

Until this revision `agency_keys.private_key` held the raw 32 bytes of each Ed25519 key;
from here on it holds them encrypted under the key encryption key (KEK), in the form of
`app.domain.key_wrapping` (version 1: 0x01, a 12-byte nonce, the ciphertext and its tag,
the key's `key_id` as associated data), written out here: a migration is frozen.

The KEK comes from `db.migrate.upgrade(..., key_encryption_key=...)` through Alembic's
`config.attributes` (the database layer reads no settings). A raw key is exactly 32 bytes
and an encrypted one longer, so a key already encrypted is left: the upgrade can run
again. Raw keys and no KEK: the upgrade stops and says so. The downgrade decrypts with the
KEK, or refuses when there are encrypted keys and no KEK.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import os
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RAW_BYTES = 32
VERSION = b"\x01"
NONCE_BYTES = 12

_KEYS = sa.table(
    "agency_keys",
    sa.column("key_id", sa.String()),
    sa.column("private_key", sa.LargeBinary()),
)


def _kek(purpose: str) -> bytes:
    given: Any = context.config.attributes.get("key_encryption_key")
    if given is None:
        raise RuntimeError(
            f"migration 0008 must {purpose} agencies' sealing keys and was given no key "
            "encryption key: run `pakn db upgrade` (or `pakn serve`) with the deployment's "
            "secret key (PAKN_SECRET_KEY, its key file, or PAKN_KEY_ENCRYPTION_KEY)"
        )
    return bytes(given.raw)


def _rows() -> list[tuple[str, bytes]]:
    found = op.get_bind().execute(sa.select(_KEYS.c.key_id, _KEYS.c.private_key))
    return [(key_id, bytes(stored)) for key_id, stored in found]


def _store(key_id: str, stored: bytes) -> None:
    op.get_bind().execute(_KEYS.update().where(_KEYS.c.key_id == key_id).values(private_key=stored))


def upgrade() -> None:
    raw = [(key_id, stored) for key_id, stored in _rows() if len(stored) == RAW_BYTES]
    if not raw:
        return
    cipher = AESGCM(_kek("encrypt"))
    for key_id, stored in raw:
        nonce = os.urandom(NONCE_BYTES)
        _store(key_id, VERSION + nonce + cipher.encrypt(nonce, stored, key_id.encode()))


def downgrade() -> None:
    encrypted = [(key_id, stored) for key_id, stored in _rows() if len(stored) != RAW_BYTES]
    if not encrypted:
        return
    cipher = AESGCM(_kek("decrypt"))
    for key_id, stored in encrypted:
        try:
            raw = cipher.decrypt(
                stored[1 : 1 + NONCE_BYTES], stored[1 + NONCE_BYTES :], key_id.encode()
            )
        except InvalidTag:
            raise RuntimeError(
                f"migration 0008: the sealing key {key_id} does not decrypt under the key "
                "encryption key given; nothing was downgraded"
            ) from None
        _store(key_id, raw)
