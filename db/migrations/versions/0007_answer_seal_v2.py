"""Sealed answers, version 2: each answer's seal version and the SHA-256 of its body (#14, point 3).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder: filled in by the work of #14 that owns it."""


def downgrade() -> None:
    """Placeholder."""
