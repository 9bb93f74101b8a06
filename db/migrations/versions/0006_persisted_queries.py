"""Automatic persisted queries: GraphQL documents by their SHA-256, shared by all workers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persisted_queries",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_persisted_queries"),
    )
    op.create_index("ix_persisted_queries_used_at", "persisted_queries", ["used_at"])


def downgrade() -> None:
    op.drop_index("ix_persisted_queries_used_at", table_name="persisted_queries")
    op.drop_table("persisted_queries")
