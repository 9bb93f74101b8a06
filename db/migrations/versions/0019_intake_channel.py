"""How each petition reached the system (#18, point 3): ONLINE for every petition so far;
LETTER, PHONE, FAX, EMAIL or IN_PERSON for those officers enter (recordPetition).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN, never a batch: on SQLite a batch recreates `petitions` and drops
    # the search index's triggers (as 0010 says)
    op.add_column(
        "petitions",
        sa.Column("intake_channel", sa.String(20), nullable=False, server_default="ONLINE"),
    )


def downgrade() -> None:
    op.drop_column("petitions", "intake_channel")
