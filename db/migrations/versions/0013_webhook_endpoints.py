"""Webhook endpoints (#15, point 5): the receivers of `pakn webhook add`, whose deliveries
go through the outbox (channel 'webhook', recipient the endpoint's id).

The signing secret is stored encrypted under the key encryption key, as the sealing keys
are. AUTOINCREMENT on SQLite (PostgreSQL's sequence never goes back anyway): a removed
endpoint's id is never given to a new one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    instant = sa.DateTime(timezone=True)
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column(
            "agency_id",
            sa.Integer(),
            sa.ForeignKey("agencies.id", name="fk_webhook_endpoints_agency_id_agencies"),
            nullable=True,
        ),
        sa.Column("actions", sa.String(400), nullable=True),
        sa.Column("created_at", instant, nullable=False),
        sa.Column("disabled_at", instant, nullable=True),
        sa.Column("disabled_reason", sa.String(500), nullable=True),
        sa.Column("failing_since", instant, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("last_success_at", instant, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_endpoints"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")
