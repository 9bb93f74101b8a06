"""Attachments (#18, point 1): files' bytes stored once by SHA-256, in chunks, and the
attachments of petitions and answers that name them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )
    op.create_table(
        "blob_chunks",
        sa.Column(
            "sha256",
            sa.String(64),
            sa.ForeignKey("blobs.sha256", name="fk_blob_chunks_sha256_blobs", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "seq", name="pk_blob_chunks"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "petition_id",
            sa.Integer(),
            sa.ForeignKey(
                "petitions.id", name="fk_attachments_petition_id_petitions", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column(
            "answer_id",
            sa.Integer(),
            sa.ForeignKey(
                "answers.id", name="fk_attachments_answer_id_answers", ondelete="CASCADE"
            ),
            nullable=True,
        ),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column(
            "sha256",
            sa.String(64),
            sa.ForeignKey("blobs.sha256", name="fk_attachments_sha256_blobs"),
            nullable=False,
        ),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
    )
    op.create_index("ix_attachments_petition", "attachments", ["petition_id", "position"])
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", "attachments")
    op.drop_index("ix_attachments_petition", "attachments")
    op.drop_table("attachments")
    op.drop_table("blob_chunks")
    op.drop_table("blobs")
