"""The transparency log (#16): one leaf per petition event (`log_entries`: its canonical
entry, blinded for an internal event, its leaf hash and the salts of its commitments) and
the hashes of the full subtrees above the leaves (`log_hashes`: the C2SP tiles of level 1
and up).

The SHA-256 chain stays beside the tree: it covers every event's full text and is what
`pakn audit verify` checks inside the database; the tree covers the same events with their
texts as commitments and is what anyone outside can check. The upgrade gives every event
written so far its leaf, in id order (`db.log_leaves.extend`, as the writers do).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.log_leaves import extend

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    op.create_table(
        "log_entries",
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey(
                "petition_events.id",
                name="fk_log_entries_event_id_petition_events",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note_salt", sa.LargeBinary(), nullable=True),
        sa.Column("title_salt", sa.LargeBinary(), nullable=True),
        sa.Column("body_salt", sa.LargeBinary(), nullable=True),
        sa.Column("blinding_salt", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="pk_log_entries"),
    )
    op.create_table(
        "log_hashes",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "position", name="pk_log_hashes"),
    )
    added, seconds = extend(op.get_bind())
    log.info("transparency log: %d leaves in %.1f s", added, seconds)


def downgrade() -> None:
    op.drop_table("log_hashes")
    op.drop_table("log_entries")
