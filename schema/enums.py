"""The API's enums: the domain's own, registered with Strawberry."""

from __future__ import annotations

from enum import Enum

import strawberry

from app import domain

AgencyKind = strawberry.enum(domain.AgencyKind)
Channel = strawberry.enum(domain.Channel)
PetitionKind = strawberry.enum(domain.PetitionKind)
PetitionSubject = strawberry.enum(domain.PetitionSubject)
PetitionStatus = strawberry.enum(domain.PetitionStatus)


@strawberry.enum
class PetitionOrderField(Enum):
    SUBMITTED_AT = "SUBMITTED_AT"
    DEADLINE_AT = "DEADLINE_AT"
    ANSWERED_AT = "ANSWERED_AT"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


RejectionReason = strawberry.enum(domain.RejectionReason)
EscalationReason = strawberry.enum(domain.EscalationReason)
