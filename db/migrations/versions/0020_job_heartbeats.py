"""Background jobs' heartbeats (#19, point 4), and the schema's oldest reader.

`job_heartbeats` holds the last run of each job by whichever host led it, so that any
host's `/ready` can tell whether the scheduler and the checkpoint signer are alive
somewhere.

`schema_readers` holds one row: the oldest migration whose code can serve this schema
(`db.migrate.oldest_reader`). From here on, migrations expand first and contract later:
- one that only adds (a table, a nullable or defaulted column, an index) leaves the row
  alone, since the code before it still serves;
- one that removes or changes what older code reads sets the row to the oldest
  revision whose code does not read it.

A host whose code does not know the schema's revision still serves, and stays ready,
when it knows the oldest reader (`app.web.readiness`, `db.bootstrap`).

This migration only adds: the code of 0019 serves it (the upgrade test serves the read
paths of the commit before it against this schema).

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
    readers = op.create_table(
        "schema_readers",
        sa.Column("oldest_reader", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("oldest_reader", name="pk_schema_readers"),
    )
    op.bulk_insert(readers, [{"oldest_reader": "0019"}])


def downgrade() -> None:
    op.drop_table("schema_readers")
    op.drop_table("job_heartbeats")
