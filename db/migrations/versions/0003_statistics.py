"""Statistics and the quarterly report: first escalation time, the rating's score on the
petition, featured petitions, and the indexes the statistics read.

Columns are added with plain ADD COLUMN and indexes with CREATE INDEX so that SQLite never
rebuilds `petitions` (a rebuild would drop the FTS5 triggers created in 0001). Existing rows
are backfilled from the event log and the ratings, so statistics are exact on old data too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATS_COLUMNS = (
    "submitted_at",
    "agency_id",
    "field_id",
    "province_code",
    "channel",
    "kind",
    "status",
    "deadline_at",
    "answered_at",
    "answered_on_time",
    "response_working_days",
    "rating_score",
    "escalated_at",
    "follow_up_count",
)
"""A covering index for the statistics (a copy: migrations never import the models)."""

BACKFILL_ESCALATED = """
UPDATE petitions SET escalated_at = first.at
FROM (SELECT petition_id, min(at) AS at FROM petition_events
      WHERE action = 'ESCALATE' GROUP BY petition_id) AS first
WHERE petitions.id = first.petition_id
"""
BACKFILL_RATING = """
UPDATE petitions SET rating_score = ratings.score
FROM ratings WHERE ratings.petition_id = petitions.id
"""


def upgrade() -> None:
    op.add_column("petitions", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("petitions", sa.Column("rating_score", sa.SmallInteger(), nullable=True))
    op.add_column("petitions", sa.Column("featured_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("petitions", sa.Column("featured_note", sa.Text(), nullable=True))
    op.execute(BACKFILL_ESCALATED)
    op.execute(BACKFILL_RATING)
    op.create_index("ix_petitions_featured", "petitions", ["featured_at"])
    op.create_index("ix_petitions_stats", "petitions", list(STATS_COLUMNS))
    op.create_index(
        "ix_petitions_agency_stats",
        "petitions",
        ["agency_id", STATS_COLUMNS[0], *STATS_COLUMNS[2:]],
    )
    op.create_index(
        "ix_petition_events_action_at", "petition_events", ["action", "at", "agency_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_petition_events_action_at", table_name="petition_events")
    op.drop_index("ix_petitions_agency_stats", table_name="petitions")
    op.drop_index("ix_petitions_stats", table_name="petitions")
    op.drop_index("ix_petitions_featured", table_name="petitions")
    for column in ("featured_note", "featured_at", "rating_score", "escalated_at"):
        op.drop_column("petitions", column)
