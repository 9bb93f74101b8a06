"""The vocabulary of the petition domain, shared by every layer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class AgencyKind(StrEnum):
    GOVERNMENT_OFFICE = "GOVERNMENT_OFFICE"
    MINISTRY = "MINISTRY"
    MINISTERIAL_AGENCY = "MINISTERIAL_AGENCY"
    PROVINCE = "PROVINCE"


class Channel(StrEnum):
    CITIZEN = "CITIZEN"
    BUSINESS = "BUSINESS"


class IntakeChannel(StrEnum):
    """How a petition reached the system: online (submitPetition), or entered by an
    officer from a letter, a phone call, a fax, an e-mail or a visit (recordPetition), as
    Decision 31/2021/QD-TTg asks of the agencies that receive them."""

    ONLINE = "ONLINE"
    LETTER = "LETTER"
    PHONE = "PHONE"
    FAX = "FAX"
    EMAIL = "EMAIL"
    IN_PERSON = "IN_PERSON"


class PetitionKind(StrEnum):
    REFLECTION = "REFLECTION"
    RECOMMENDATION = "RECOMMENDATION"


class PetitionSubject(StrEnum):
    MECHANISM = "MECHANISM"
    POLICY = "POLICY"
    ADMINISTRATIVE_PROCEDURE = "ADMINISTRATIVE_PROCEDURE"
    OFFICIAL_CONDUCT = "OFFICIAL_CONDUCT"
    INITIATIVE = "INITIATIVE"


class PetitionStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    REJECTED = "REJECTED"
    ASSIGNED = "ASSIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    TRANSFER_REQUESTED = "TRANSFER_REQUESTED"
    ANSWERED = "ANSWERED"
    ESCALATED = "ESCALATED"
    CLOSED = "CLOSED"


OPEN_STATUSES: frozenset[PetitionStatus] = frozenset(
    {
        PetitionStatus.ASSIGNED,
        PetitionStatus.IN_PROGRESS,
        PetitionStatus.TRANSFER_REQUESTED,
        PetitionStatus.ESCALATED,
    }
)
"""Statuses in which the 20-working-day clock runs and a petition can be overdue."""


OPEN_STATUS_VALUES: tuple[str, ...] = tuple(sorted(OPEN_STATUSES))
"""The open statuses' names in a fixed order: SQL built from them reads the same in every
process, so statement caches keyed on its text hit."""


def is_overdue(status: str, deadline_at: datetime | None, now: datetime) -> bool:
    """Open (`OPEN_STATUSES`) with its deadline passed as of `now`: the one definition every
    Python path uses (GraphQL, the compiled path, the exports); SQL filters and counts
    mirror it in `db.queries.petitions.overdue`."""
    return status in OPEN_STATUSES and deadline_at is not None and deadline_at < now


class Action(StrEnum):
    SUBMIT = "SUBMIT"
    ASSIGN = "ASSIGN"
    REJECT = "REJECT"
    ACKNOWLEDGE = "ACKNOWLEDGE"
    REQUEST_TRANSFER = "REQUEST_TRANSFER"
    TRANSFER = "TRANSFER"
    PROGRESS_UPDATE = "PROGRESS_UPDATE"
    ANSWER = "ANSWER"
    RATE = "RATE"
    FOLLOW_UP = "FOLLOW_UP"
    ESCALATE = "ESCALATE"
    FEATURE = "FEATURE"
    """The Government Office holds a petition up as useful; the status does not change."""
    URGE = "URGE"
    """The Government Office urges (đôn đốc) the handling agency; no change of status."""
    OVERDUE = "OVERDUE"
    """Written by SYSTEM once per deadline that passed with neither an answer nor a progress
    update; its `at` is that deadline."""
    CONTACT_ERASED = "CONTACT_ERASED"
    """The petitioner's contact data was erased, on their request (PETITIONER) or after the
    retention period (SYSTEM); neither the status nor the version changes."""
    SECRET_REISSUED = "SECRET_REISSUED"
    """An officer gave the petitioner, who lost it, a new secret (the old one stops
    working); neither the status nor the version changes."""


class ActorRole(StrEnum):
    PETITIONER = "PETITIONER"
    COORDINATOR = "COORDINATOR"
    AGENCY_OFFICER = "AGENCY_OFFICER"
    ADMIN = "ADMIN"
    SYSTEM = "SYSTEM"


def dated_when_written(action: str, actor_role: str) -> bool:
    """Whether an event's `at` is the moment it was written. Two are dated in the past:
    an OVERDUE carries the deadline it marks, however late the clock wrote it, and a
    SUBMIT recorded by an officer (`recordPetition`) carries the day the letter, call or
    visit came in. (What measures the time from writing to delivery leaves them out.)"""
    if action == Action.OVERDUE:
        return False
    return not (action == Action.SUBMIT and actor_role != ActorRole.PETITIONER)


class RejectionReason(StrEnum):
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    DUPLICATE = "DUPLICATE"
    ABUSIVE = "ABUSIVE"
    INSUFFICIENT_INFO = "INSUFFICIENT_INFO"


class EscalationReason(StrEnum):
    MULTI_AGENCY_DISAGREEMENT = "MULTI_AGENCY_DISAGREEMENT"
    REPEATED_COMPLAINT = "REPEATED_COMPLAINT"
    GOVERNMENT_AUTHORITY = "GOVERNMENT_AUTHORITY"


def tracking_code(petition_id: int, submitted_year: int) -> str:
    """The public handle of a petition, e.g. PAKN-2026-000123; unique because the id is."""
    return f"PAKN-{submitted_year}-{petition_id:06d}"
