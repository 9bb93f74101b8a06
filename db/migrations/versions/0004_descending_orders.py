"""Indexes for the petition list ordered by a nullable time, newest first.

`ORDER BY answered_at DESC NULLS LAST, id DESC` (and the same for deadline_at) cannot use
the ascending (answered_at, id) index on PostgreSQL, which then sorts the whole table for
a page of 50. These descending indexes serve that order forwards and, scanned backwards,
the reversed order that `last`/`before` pages read. SQLite already sorts NULLs last when
it reads an ascending index backwards, so it needs none. Named `ix_petitions_order_*`,
which autogenerate leaves alone (see env.py), since they are made here by hand.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("answered_at", "deadline_at")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(
            f"CREATE INDEX ix_petitions_order_{column}_desc ON petitions "
            f"({column} DESC NULLS LAST, id DESC)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_petitions_order_{column}_desc")
