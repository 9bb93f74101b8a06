"""Urging and overdue as events (#15, points 1 and 2): the petitions' counts and the
statistics rollup's columns.

`petitions.urge_count`, `last_urged_at` (at most one URGE a working day), `overdue_count` and
`overdue_deadline_at` (the deadline whose OVERDUE event is written); the rollup counts
`urged` and `overdue_ever` per period. Both start at zero, which is exact: no URGE or
OVERDUE event exists before this revision (0011 backfills OVERDUE and rebuilds the rollup).
The covering statistics indexes gain the two counts, so live statistics still read no
table row. Plain ADD COLUMN, never a batch: on SQLite a batch recreates `petitions`, and with
it would go the triggers that keep the search index `petition_search` in step (0001).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATS_COLUMNS = (
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
NEW_STATS_COLUMNS = (*OLD_STATS_COLUMNS, "urge_count", "overdue_count")


def _agency_led(columns: tuple[str, ...]) -> list[str]:
    return ["agency_id", columns[0], *columns[2:]]


def _stats_indexes(columns: tuple[str, ...]) -> None:
    op.drop_index("ix_petitions_stats", table_name="petitions")
    op.drop_index("ix_petitions_agency_stats", table_name="petitions")
    op.create_index("ix_petitions_stats", "petitions", list(columns))
    op.create_index("ix_petitions_agency_stats", "petitions", _agency_led(columns))


def upgrade() -> None:
    zero = sa.text("0")
    for column in (
        sa.Column("urge_count", sa.Integer(), nullable=False, server_default=zero),
        sa.Column("last_urged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_count", sa.Integer(), nullable=False, server_default=zero),
        sa.Column("overdue_deadline_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("petitions", column)
    for column in (
        sa.Column("urged", sa.Integer(), nullable=False, server_default=zero),
        sa.Column("overdue_ever", sa.Integer(), nullable=False, server_default=zero),
    ):
        op.add_column("petition_stats_rollup", column)
    _stats_indexes(NEW_STATS_COLUMNS)


def downgrade() -> None:
    _stats_indexes(OLD_STATS_COLUMNS)
    for name in ("overdue_ever", "urged"):
        op.drop_column("petition_stats_rollup", name)
    for name in ("overdue_deadline_at", "overdue_count", "last_urged_at", "urge_count"):
        op.drop_column("petitions", name)
