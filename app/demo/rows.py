"""The rows the generator writes: a tuple per row (a list for an assignment, which a
transfer ends in place), its columns in the order `TABLE_COLUMNS` lists; moments are epoch
seconds until a loader renders them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.demo.spec import Position

Row = tuple[Any, ...]

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "petitions": (
        "id",
        "tracking_code",
        "channel",
        "kind",
        "subject",
        "title",
        "body",
        "is_private",
        "field_id",
        "province_code",
        "status",
        "agency_id",
        "submitted_at",
        "accepted_at",
        "clock_started_at",
        "deadline_at",
        "answered_at",
        "response_working_days",
        "answered_on_time",
        "closed_at",
        "follow_up_count",
        "escalation_reason",
        "rejection_reason",
        "duplicate_of",
        "version",
        "search_text",
        "escalated_at",
        "rating_score",
        "urge_count",
        "last_urged_at",
        "overdue_count",
        "overdue_deadline_at",
    ),
    "petitioner_contacts": (
        "petition_id",
        "full_name",
        "email",
        "phone",
        "address",
        "organization_name",
        "tax_code",
    ),
    "assignments": ("id", "petition_id", "agency_id", "assigned_at", "ended_at", "end_reason"),
    "answers": (
        "id",
        "petition_id",
        "agency_id",
        "body",
        "answered_at",
        "signature",
        "key_id",
        "seal_version",
        "body_sha256",
    ),
    "ratings": ("petition_id", "answer_id", "score", "comment", "rated_at"),
    "petition_events": (
        "id",
        "petition_id",
        "action",
        "from_status",
        "to_status",
        "at",
        "actor_role",
        "agency_id",
        "note",
        "is_public",
        "previous_hash",
        "hash",
    ),
}
"""The columns the generator fills, in the order of its row tuples; the rest take defaults."""


@dataclass
class ChunkRows:
    """The rows of one chunk, per table, in `TABLE_COLUMNS` order."""

    tables: dict[str, list[Any]]
    end: Position
