"""The transparency log's signing keys and checkpoints (#16, point 2): `log_keys` (the
Government Office's Ed25519 log keys, encrypted at rest, rotatable; the first key's name is
the log's origin) and `log_checkpoints` (every checkpoint issued: size, root, signed note).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    instant = sa.DateTime(timezone=True)
    op.create_table(
        "log_keys",
        sa.Column("verifier_key", sa.String(200), nullable=False),
        sa.Column("name", sa.String(150), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", instant, nullable=False),
        sa.Column("retired_at", instant, nullable=True),
        sa.PrimaryKeyConstraint("verifier_key", name="pk_log_keys"),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issued_at", instant, nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name="pk_log_checkpoints"),
    )


def downgrade() -> None:
    op.drop_table("log_checkpoints")
    op.drop_table("log_keys")
