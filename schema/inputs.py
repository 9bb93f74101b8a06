"""Input types of the public API."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.services.filters import FilterArgs
from schema.descriptions import CHANNEL_FILTER, KIND_FILTER
from schema.enums import (
    Channel,
    IntakeChannel,
    OrderDirection,
    PetitionKind,
    PetitionOrderField,
    PetitionStatus,
)


@strawberry.input(
    description="Which petitions a list holds: every condition given must hold; a condition "
    "left out (or null) does not narrow the list. A list of codes holds at most 100 "
    "(FILTER_TOO_LARGE); an unknown code is refused with UNKNOWN_CODE."
)
class PetitionFilter:
    statuses: list[PetitionStatus] | None = strawberry.field(
        default=None, description="Petitions in any of these statuses."
    )
    agency_codes: list[str] | None = strawberry.field(
        default=None,
        description="Petitions currently assigned to any of these agencies, by exact code "
        "(e.g. BTC, UBND-01).",
    )
    field_codes: list[str] | None = strawberry.field(
        default=None,
        description="Petitions filed under any of these fields (lĩnh vực), by exact code "
        "(e.g. DAT_DAI); see Query.fields.",
    )
    province_codes: list[str] | None = strawberry.field(
        default=None,
        description="Petitions concerning any of these provinces, by two-digit code (e.g. 01); "
        "see Query.provinces.",
    )
    channel: Channel | None = strawberry.field(default=None, description=CHANNEL_FILTER)
    kind: PetitionKind | None = strawberry.field(default=None, description=KIND_FILTER)
    submitted_from: datetime | None = strawberry.field(
        default=None,
        description="Submitted at or after this time (inclusive); a time without an offset is "
        "Vietnam time (+07:00). Later than `submittedTo`: INVALID_DATE_RANGE.",
    )
    submitted_to: datetime | None = strawberry.field(
        default=None,
        description="Submitted before this time (exclusive); a time without an offset is "
        "Vietnam time (+07:00).",
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="True: only petitions whose isOverdue is true now (open and past "
        "deadlineAt); false: only those whose isOverdue is false.",
    )
    intake_channels: list[IntakeChannel] | None = strawberry.field(
        default=None,
        description="Only petitions that reached the system so (Petition.intakeChannel): "
        "ONLINE, or LETTER, PHONE, FAX, EMAIL, IN_PERSON for those officers entered.",
    )
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Words to find in the title and body, ignoring case and diacritics; every word "
            "must match. Each word matches a whole word; end it with * to match every word it "
            'starts ("thu*" finds thu, thuế, thuốc). Only the first 12 words count; private '
            "petitions are never found by their text. No letter or digit at all: INVALID_SEARCH."
        ),
    )

    def to_args(self) -> FilterArgs:
        return FilterArgs(
            statuses=[s.value for s in self.statuses] if self.statuses else None,
            agency_codes=self.agency_codes,
            field_codes=self.field_codes,
            province_codes=self.province_codes,
            channel=self.channel.value if self.channel else None,
            kind=self.kind.value if self.kind else None,
            submitted_from=self.submitted_from,
            submitted_to=self.submitted_to,
            overdue=self.overdue,
            search=self.search,
            intake_channels=[c.value for c in self.intake_channels]
            if self.intake_channels
            else None,
        )


@strawberry.input(
    description="How the petition list is sorted; without it, newest submitted first "
    "(SUBMITTED_AT, DESC). A cursor is valid only with the orderBy that gave it."
)
class PetitionOrder:
    field: PetitionOrderField = strawberry.field(description="The time to sort by.")
    direction: OrderDirection = strawberry.field(description="Earliest or latest first.")


def ordering_of(order: PetitionOrder | None) -> tuple[str, bool]:
    """(order field, ascending) for the petition list: newest submitted first by default."""
    if order is None:
        return PetitionOrderField.SUBMITTED_AT.value, False
    return order.field.value, order.direction is OrderDirection.ASC
