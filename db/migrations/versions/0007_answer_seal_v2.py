"""Sealed answers, version 2: each answer's seal version and the SHA-256 of its body (#14, point 3).

`answers.seal_version` says which canonical form the signature covers (`app.domain.signing`):
every answer stored before this revision was sealed in version 1 and keeps it. Version 2
signs the body's hash instead of the body, so `answers.body_sha256` holds the lower-case hex
SHA-256 of the body's UTF-8 bytes in NFC; it is filled here for the answers already stored,
in batches of `BATCH` (an answer is up to 10,000 characters: a batch is a few tens of MB at
most), on SQLite and PostgreSQL alike. A version 1 answer's hash is published too, though its
seal covers the body itself.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import hashlib
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

_ANSWERS = sa.table(
    "answers",
    sa.column("id", sa.Integer()),
    sa.column("body", sa.Text()),
    sa.column("body_sha256", sa.String(64)),
)


def _sha256(body: str) -> str:
    """As `app.domain.signing.body_sha256` has it (written out: a migration is frozen)."""
    return hashlib.sha256(unicodedata.normalize("NFC", body).encode("utf-8")).hexdigest()


def _backfill() -> None:
    """Hash every stored body, a batch at a time in id order (keyset, no OFFSET)."""
    connection = op.get_bind()
    update = (
        sa.update(_ANSWERS)
        .where(_ANSWERS.c.id == sa.bindparam("answer_id"))
        .values(body_sha256=sa.bindparam("digest"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_ANSWERS.c.id, _ANSWERS.c.body)
            .where(_ANSWERS.c.id > last)
            .order_by(_ANSWERS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            update, [{"answer_id": row.id, "digest": _sha256(row.body)} for row in rows]
        )
        last = rows[-1].id


def upgrade() -> None:
    op.add_column(
        "answers",
        sa.Column("seal_version", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    op.add_column("answers", sa.Column("body_sha256", sa.String(length=64), nullable=True))
    _backfill()
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.alter_column("body_sha256", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("seal_version", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    """Version 2 seals cannot be checked without these columns: downgrade only a database
    that holds none, or accept that its version 2 answers no longer verify."""
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("body_sha256")
        batch_op.drop_column("seal_version")
