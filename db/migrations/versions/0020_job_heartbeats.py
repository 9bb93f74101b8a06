"""Background jobs' heartbeats (#19, point 4): the last run of each job by whichever host
led it, so that any host's `/ready` can tell whether the scheduler and the checkpoint
signer are alive somewhere.

An expand-only migration: a new table, which code from before it never reads (the
upgrade test serves the read paths of the commit before it against this schema).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_heartbeats",
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("host", sa.String(128), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("job", name="pk_job_heartbeats"),
    )


def downgrade() -> None:
    op.drop_table("job_heartbeats")
