"""Agencies' sealing keys encrypted at rest with AES-256-GCM (#14, point 2).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder: filled in by the work of #14 that owns it."""


def downgrade() -> None:
    """Placeholder."""
