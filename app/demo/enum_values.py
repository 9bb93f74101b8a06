"""The domain's enum members the generator writes, as plain strings.

Rows carry `str` values, not enum members, so that the hot path skips enum lookups.
"""

from __future__ import annotations

from app.domain.vocabulary import (
    Action,
    ActorRole,
    Channel,
    EscalationReason,
    PetitionKind,
    PetitionStatus,
    RejectionReason,
)

SUBMITTED = PetitionStatus.SUBMITTED.value
REJECTED = PetitionStatus.REJECTED.value
ASSIGNED = PetitionStatus.ASSIGNED.value
IN_PROGRESS = PetitionStatus.IN_PROGRESS.value
TRANSFER_REQUESTED = PetitionStatus.TRANSFER_REQUESTED.value
ANSWERED = PetitionStatus.ANSWERED.value
ESCALATED = PetitionStatus.ESCALATED.value
CLOSED = PetitionStatus.CLOSED.value

PETITIONER = ActorRole.PETITIONER.value
COORDINATOR = ActorRole.COORDINATOR.value
AGENCY_OFFICER = ActorRole.AGENCY_OFFICER.value
SYSTEM = ActorRole.SYSTEM.value

CITIZEN = Channel.CITIZEN.value
BUSINESS = Channel.BUSINESS.value
REFLECTION = PetitionKind.REFLECTION.value
RECOMMENDATION = PetitionKind.RECOMMENDATION.value

SUBMIT = Action.SUBMIT.value
ASSIGN = Action.ASSIGN.value
REJECT = Action.REJECT.value
ACKNOWLEDGE = Action.ACKNOWLEDGE.value
REQUEST_TRANSFER = Action.REQUEST_TRANSFER.value
TRANSFER = Action.TRANSFER.value
PROGRESS_UPDATE = Action.PROGRESS_UPDATE.value
ANSWER = Action.ANSWER.value
RATE = Action.RATE.value
FOLLOW_UP = Action.FOLLOW_UP.value
ESCALATE = Action.ESCALATE.value
URGE = Action.URGE.value

GOVERNMENT_AUTHORITY = EscalationReason.GOVERNMENT_AUTHORITY.value
MULTI_AGENCY_DISAGREEMENT = EscalationReason.MULTI_AGENCY_DISAGREEMENT.value
REPEATED_COMPLAINT = EscalationReason.REPEATED_COMPLAINT.value

OUT_OF_SCOPE = RejectionReason.OUT_OF_SCOPE.value
DUPLICATE = RejectionReason.DUPLICATE.value
ABUSIVE = RejectionReason.ABUSIVE.value
INSUFFICIENT_INFO = RejectionReason.INSUFFICIENT_INFO.value
