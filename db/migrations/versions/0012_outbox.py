"""The outbox (#15, points 4 and 5) and the petitioner's consent to e-mails.

`outbox`: one row per message owed to one recipient about one event (an e-mail to a
petitioner, a webhook delivery to an endpoint), written in the event's transaction and sent
by the background sender; its ids are never reused (AUTOINCREMENT on SQLite too), since an
e-mail's Message-ID is derived from one and ended rows are deleted.
`petitioner_contacts.notify_by_email`: the consent, false for every petition submitted
before it could be given.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("sent_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    op.add_column(
        "petitioner_contacts",
        sa.Column("notify_by_email", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    instant = sa.DateTime(timezone=True)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey(
                "petition_events.id",
                name="fk_outbox_event_id_petition_events",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column(
            "petition_id",
            sa.Integer(),
            sa.ForeignKey(
                "petitions.id", name="fk_outbox_petition_id_petitions", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("created_at", instant, nullable=False),
        sa.Column("expires_at", instant, nullable=False),
        sa.Column("next_attempt_at", instant, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("claimed_at", instant, nullable=True),
        sa.Column("sent_at", instant, nullable=True),
        sa.Column("failed_at", instant, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_outbox_message", "outbox", ["event_id", "channel", "recipient"], unique=True
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["next_attempt_at", "id"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_index("ix_outbox_petition", "outbox", ["petition_id", "channel"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_column("petitioner_contacts", "notify_by_email")
