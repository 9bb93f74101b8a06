"""Petitioners' contact data erased on request or after the retention period (#14, point 4).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder: filled in by the work of #14 that owns it."""


def downgrade() -> None:
    """Placeholder."""
