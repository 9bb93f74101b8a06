"""Witnesses' cosignatures of the transparency log's checkpoints (#16, point 6): one line a
(checkpoint, witness), served with the checkpoint.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_cosignatures",
        sa.Column(
            "tree_size",
            sa.BigInteger(),
            sa.ForeignKey(
                "log_checkpoints.tree_size", name="fk_log_cosignatures_tree_size_log_checkpoints"
            ),
            nullable=False,
        ),
        sa.Column("witness_key", sa.String(200), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", "witness_key", name="pk_log_cosignatures"),
    )


def downgrade() -> None:
    op.drop_table("log_cosignatures")
