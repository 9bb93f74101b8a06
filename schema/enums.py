"""The API's enums: the domain's own, registered with Strawberry, each value described."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

from app.domain import vocabulary

E = TypeVar("E", bound=type[Enum])


def described(enum: E, description: str, values: Mapping[str, str]) -> E:
    """Register a domain enum with Strawberry, with a description for it and every value.

    The domain's enums know nothing of GraphQL, so their members cannot be written as
    `strawberry.enum_value(...)`; the values' descriptions are set on the definition that
    `strawberry.enum` made. `values` must name every member, no more and no fewer.
    """
    registered = strawberry.enum(enum, description=description)
    if not has_enum_definition(registered):
        raise TypeError(f"{enum.__name__} is not a Strawberry enum")
    definition = registered.__strawberry_definition__
    names = {value.name for value in definition.values}
    if names != set(values):
        raise ValueError(f"{enum.__name__}: describe exactly {sorted(names)}")
    for value in definition.values:
        value.description = values[value.name]
    return registered


AgencyKind = described(
    vocabulary.AgencyKind,
    "What kind of agency an Agency is.",
    {
        "GOVERNMENT_OFFICE": "The Government Office (Văn phòng Chính phủ, code VPCP): it "
        "receives, routes and steers petitions, and answers those escalated to the Government.",
        "MINISTRY": "A ministry (bộ), e.g. BTC, the Ministry of Finance.",
        "MINISTERIAL_AGENCY": "A ministerial-level agency (cơ quan ngang bộ), e.g. NHNN, the "
        "State Bank of Vietnam.",
        "PROVINCE": "The People's Committee (UBND) of a provincial-level unit, e.g. UBND-01.",
    },
)

Channel = described(
    vocabulary.Channel,
    "Who submitted a petition: the channel for citizens or the one for businesses.",
    {
        "CITIZEN": "A person (Chính phủ với người dân).",
        "BUSINESS": "An enterprise (Chính phủ với doanh nghiệp); its petitions name the "
        "organisation and its tax code.",
    },
)

IntakeChannel = described(
    vocabulary.IntakeChannel,
    "How a petition reached the system.",
    {
        "ONLINE": "Submitted online (submitPetition), on this site or through the API.",
        "LETTER": "A letter, entered by the officer who received it (recordPetition).",
        "PHONE": "A phone call, entered by the officer who took it.",
        "FAX": "A fax, entered by the officer who received it.",
        "EMAIL": "An e-mail to an agency, entered by the officer who received it.",
        "IN_PERSON": "A visit to a reception office, entered by the officer who received it.",
    },
)

PetitionKind = described(
    vocabulary.PetitionKind,
    "Whether a petition reports what happened or proposes a change.",
    {
        "REFLECTION": "Phản ánh: a report of what happened, e.g. an official's delay or "
        "harassment, or a procedure not applied as written.",
        "RECOMMENDATION": "Kiến nghị: a proposal to change a mechanism, policy or procedure, "
        "or an initiative.",
    },
)

PetitionSubject = described(
    vocabulary.PetitionSubject,
    "What a petition is about.",
    {
        "MECHANISM": "A mechanism (cơ chế) that is impractical, inconsistent, contradictory "
        "or unlawful.",
        "POLICY": "A policy (chính sách) that is impractical, inconsistent, contradictory or "
        "unlawful.",
        "ADMINISTRATIVE_PROCEDURE": "An administrative procedure (thủ tục hành chính).",
        "OFFICIAL_CONDUCT": "An official's behaviour: delay, harassment, failure to apply a "
        "procedure.",
        "INITIATIVE": "A proposal for a new rule.",
    },
)

PetitionStatus = described(
    vocabulary.PetitionStatus,
    "Where a petition stands in its workflow. ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED and "
    "ESCALATED are open: the 20-working-day clock runs and the petition can be overdue. "
    "REJECTED and CLOSED are final.",
    {
        "SUBMITTED": "Filed by the petitioner; waiting for the Government Office to accept "
        "and assign it, or reject it.",
        "REJECTED": "Refused by the Government Office (see RejectionReason). Final.",
        "ASSIGNED": "Accepted and assigned to an agency, which has not yet acknowledged it "
        "(also after a transfer). Open.",
        "IN_PROGRESS": "The assigned agency is handling it (also after a follow-up). Open.",
        "TRANSFER_REQUESTED": "The assigned agency said it lies outside its competence; "
        "waiting for the Government Office to transfer it. Open.",
        "ANSWERED": "The agency (or, for an escalated petition, the Government Office) "
        "published an answer; the petitioner may rate it or follow up.",
        "ESCALATED": "Raised to the Government / Prime Minister by the Government Office, or "
        "automatically after repeated follow-ups; the Government Office handles it. Open.",
        "CLOSED": "The petitioner rated the answer. Final.",
    },
)


@strawberry.enum(description="What the petition list is sorted by (`PetitionOrder.field`).")
class PetitionOrderField(Enum):
    SUBMITTED_AT = strawberry.enum_value(
        "SUBMITTED_AT", description="By `submittedAt`, the time of submission."
    )
    DEADLINE_AT = strawberry.enum_value(
        "DEADLINE_AT",
        description="By `deadlineAt`; petitions without a deadline (not yet assigned) come last "
        "in either direction.",
    )
    ANSWERED_AT = strawberry.enum_value(
        "ANSWERED_AT",
        description="By `answeredAt`, the first answer's time; petitions not yet answered come "
        "last in either direction.",
    )


@strawberry.enum(description="Sort direction; ties are broken by the petition's id, same way.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Earliest first.")
    DESC = strawberry.enum_value("DESC", description="Latest first.")


RejectionReason = described(
    vocabulary.RejectionReason,
    "Why the Government Office rejected a petition (`rejectPetition`).",
    {
        "OUT_OF_SCOPE": "Outside what this channel handles.",
        "DUPLICATE": "The same as another petition, whose tracking code is in `duplicateOf`.",
        "ABUSIVE": "Abusive content.",
        "INSUFFICIENT_INFO": "Not enough information to act on.",
    },
)

EscalationReason = described(
    vocabulary.EscalationReason,
    "Why a petition was escalated to the Government / Prime Minister.",
    {
        "MULTI_AGENCY_DISAGREEMENT": "It involves two or more agencies that could not agree.",
        "REPEATED_COMPLAINT": "Agencies handled it but the petitioner keeps raising it; set "
        "automatically (by SYSTEM) when the petitioner's follow-ups reach "
        "PAKN_FOLLOW_UP_ESCALATION (default 2).",
        "GOVERNMENT_AUTHORITY": "It lies within the Government's own authority.",
    },
)
