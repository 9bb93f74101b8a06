"""The statistics rollups (see `db.rollup`): `petition_stats_rollup` and
`petition_open_deadlines`, filled from the petitions already stored so that statistics stay
exact across the upgrade; and a partial index of open petitions by deadline.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "received",
    "answered",
    "answered_on_time",
    "escalated",
    "follow_ups",
    "rejected",
    "rated_1",
    "rated_2",
    "rated_3",
    "rated_4",
    "rated_5",
    "open_with_deadline",
)
KEY = ("dimension", "grain", "period", "key")
OPEN = "status IN ('ASSIGNED', 'ESCALATED', 'IN_PROGRESS', 'TRANSFER_REQUESTED')"
DUE = f"({OPEN} AND deadline_at IS NOT NULL)"
REJECTED = "status = 'REJECTED'"
OPEN_DUE_INDEX = (
    "CREATE INDEX ix_petitions_open_due ON petitions"
    " (deadline_at, submitted_at, agency_id, field_id, province_code) WHERE {where}"
)
"""Open petitions by deadline, covering what statistics group them by: "due later today"
(the part of overdue the rollups cannot hold) is a short index-only range of it."""
OPEN_DUE_WHERE = {
    # PostgreSQL's own spelling, so that the demo loader's drop-and-recreate from
    # pg_get_indexdef gives back the same definition
    "postgresql": "status::text IN ('ASSIGNED'::text, 'ESCALATED'::text, 'IN_PROGRESS'::text,"
    " 'TRANSFER_REQUESTED'::text)",
    "sqlite": OPEN,
}


def _local(dialect: str, column: str, pg_format: str, sqlite_format: str) -> str:
    if dialect == "postgresql":
        return f"to_char(timezone('Asia/Ho_Chi_Minh', {column}), '{pg_format}')"
    return f"strftime('{sqlite_format}', {column}, '+7 hours')"


def _period(dialect: str, grain: str) -> str:
    if grain == "Y":
        return _local(dialect, "submitted_at", "YYYY", "%Y")
    if grain == "M":
        return _local(dialect, "submitted_at", "YYYY-MM", "%Y-%m")
    if dialect == "postgresql":
        return _local(dialect, "submitted_at", 'YYYY-"Q"Q', "")
    year = _local(dialect, "submitted_at", "YYYY", "%Y")
    month = f"CAST({_local(dialect, 'submitted_at', 'MM', '%m')} AS INTEGER)"
    return f"{year} || '-Q' || CAST(({month} + 2) / 3 AS TEXT)"


DIMENSION_KEYS = {
    "all": "''",
    "agency": "coalesce(CAST(agency_id AS TEXT), '')",
    "field": "coalesce(CAST(field_id AS TEXT), '')",
    "province": "coalesce(province_code, '')",
}


def _fills(dialect: str) -> list[str]:
    """A copy of `db.rollup.computed` in SQL (migrations never import the application)."""

    def count_if(condition: str) -> str:
        return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"

    ratings = ", ".join(count_if(f"rating_score = {s}") for s in range(1, 6))
    day = _local(dialect, "deadline_at", "YYYY-MM-DD", "%Y-%m-%d")
    statements = []
    for grain in ("Y", "Q", "M"):
        period = _period(dialect, grain)
        for dimension, key in DIMENSION_KEYS.items():
            head = f"'{dimension}', '{grain}', {period}, {key}"
            groups = "3" if dimension == "all" else "3, 4"
            statements.append(
                f"INSERT INTO petition_stats_rollup ({', '.join((*KEY, 'response_days', *COUNTS))})"
                f" SELECT {head},"
                " coalesce(CASE WHEN answered_at IS NOT NULL THEN response_working_days END, -1),"
                " count(*), count(answered_at),"
                f" {count_if('answered_on_time')}, count(escalated_at),"
                f" coalesce(sum(follow_up_count), 0), {count_if(REJECTED)},"
                f" {ratings}, {count_if(DUE)}"
                f" FROM petitions GROUP BY {groups}, 5"
            )
            statements.append(
                f"INSERT INTO petition_open_deadlines ({', '.join(KEY)}, deadline_day, open)"
                f" SELECT {head}, {day}, count(*) FROM petitions WHERE {DUE}"
                f" GROUP BY {groups}, 5"
            )
    return statements


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "petition_stats_rollup",
        *_key_columns(),
        sa.Column("response_days", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint(*KEY, "response_days", name=op.f("pk_petition_stats_rollup")),
    )
    op.create_table(
        "petition_open_deadlines",
        *_key_columns(),
        sa.Column("deadline_day", sa.String(length=10), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "deadline_day", name=op.f("pk_petition_open_deadlines")),
    )
    dialect = op.get_bind().dialect.name
    for statement in _fills(dialect):
        op.execute(statement)
    op.execute(OPEN_DUE_INDEX.format(where=OPEN_DUE_WHERE[dialect]))


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_petitions_open_due")
    op.drop_table("petition_open_deadlines")
    op.drop_table("petition_stats_rollup")
