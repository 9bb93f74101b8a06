"""Input types of the public API."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.petitions import FilterArgs
from schema.enums import Channel, OrderDirection, PetitionKind, PetitionOrderField, PetitionStatus


@strawberry.input(description="Every condition given must hold.")
class PetitionFilter:
    statuses: list[PetitionStatus] | None = None
    agency_codes: list[str] | None = None
    field_codes: list[str] | None = None
    province_codes: list[str] | None = None
    channel: Channel | None = None
    kind: PetitionKind | None = None
    submitted_from: datetime | None = strawberry.field(
        default=None,
        description="Inclusive lower bound; a time without an offset is Vietnam time (+07:00).",
    )
    submitted_to: datetime | None = strawberry.field(
        default=None,
        description="Exclusive upper bound; a time without an offset is Vietnam time (+07:00).",
    )
    overdue: bool | None = None
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Words to find in the title and body, ignoring case and diacritics. Each word "
            "matches a whole word; end it with * to match every word it starts "
            '("thu*" finds thu, thuế, thuốc).'
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
        )


@strawberry.input
class PetitionOrder:
    field: PetitionOrderField
    direction: OrderDirection


def ordering_of(order: PetitionOrder | None) -> tuple[str, bool]:
    """(order field, ascending) for the petition list: newest submitted first by default."""
    if order is None:
        return PetitionOrderField.SUBMITTED_AT.value, False
    return order.field.value, order.direction is OrderDirection.ASC
