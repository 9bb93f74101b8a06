"""The lifecycle: officer tokens, agency sealing keys, petitioner secrets, idempotency,
and the hash chain over petition events.

Columns are added with plain ADD COLUMN and indexes with CREATE INDEX so that SQLite never
rebuilds `petitions` (a rebuild would drop the FTS5 triggers created in 0001).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_agency_keys_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_agency_keys")),
    )
    op.create_index("ix_agency_keys_agency", "agency_keys", ["agency_id", "created_at"])
    op.create_table(
        "officer_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_officer_tokens_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_officer_tokens_token_hash")),
    )
    op.add_column("petition_events", sa.Column("previous_hash", sa.String(64), nullable=True))
    op.add_column("petition_events", sa.Column("hash", sa.String(64), nullable=True))
    op.add_column("petitions", sa.Column("secret_hash", sa.String(64), nullable=True))
    op.add_column("petitions", sa.Column("idempotency_key", sa.String(100), nullable=True))
    op.add_column("petitions", sa.Column("submission_fingerprint", sa.String(64), nullable=True))
    op.add_column("petitions", sa.Column("client_fingerprint", sa.String(64), nullable=True))
    op.create_index(
        "ix_petitions_client_submitted", "petitions", ["client_fingerprint", "submitted_at"]
    )
    op.create_index("ix_petitions_idempotency_key", "petitions", ["idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_petitions_idempotency_key", table_name="petitions")
    op.drop_index("ix_petitions_client_submitted", table_name="petitions")
    for column in (
        "client_fingerprint",
        "submission_fingerprint",
        "idempotency_key",
        "secret_hash",
    ):
        op.drop_column("petitions", column)
    op.drop_column("petition_events", "hash")
    op.drop_column("petition_events", "previous_hash")
    op.drop_table("officer_tokens")
    op.drop_index("ix_agency_keys_agency", table_name="agency_keys")
    op.drop_table("agency_keys")
