"""Petitioners' contact data erased on request or after the retention period (#14, point 4).

`petitions.contact_erased_at` records when; a partial index over the petitions whose
contact data is still kept, by submission time, lets the purge find those due without
reading the petitions already erased (a petition's last event is never before its
submission).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = sa.text("contact_erased_at IS NULL")


def upgrade() -> None:
    op.add_column(
        "petitions", sa.Column("contact_erased_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_petitions_contact_kept",
        "petitions",
        ["submitted_at", "id"],
        sqlite_where=KEPT,
        postgresql_where=KEPT,
    )


def downgrade() -> None:
    op.drop_index("ix_petitions_contact_kept", table_name="petitions")
    op.drop_column("petitions", "contact_erased_at")
