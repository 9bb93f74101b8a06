"""One petition while its story is told: where it is in time, and what its history has
fixed so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.demo.enum_values import CITIZEN, REFLECTION
from app.demo.places import ProvincePlace
from app.demo.wording.template import Phrase


@dataclass(slots=True, eq=False)
class PetitionState:
    petition_id: int
    day: int
    """Number of the working day of the latest event (see `schedule.WorkingCalendar`)."""
    second: int
    """Seconds into the local day of the latest event."""
    moment: int
    """The latest event's moment, in epoch seconds."""
    tracking_code: str = ""
    channel: str = CITIZEN
    kind: str = REFLECTION
    subject: str = ""
    field_code: str = ""
    province: ProvincePlace | None = None
    is_private: bool = False
    topic: Phrase = ("", "")
    """What the body is about; its answers take it up."""
    status: str | None = None
    version: int = 0
    agency_id: int | None = None
    open_assignment: list[Any] | None = None
    """The row of the current assignment, ended in place when the petition is transferred."""
    accepted_at: int | None = None
    accepted_day: int = 0
    clock_started_at: int | None = None
    clock_day: int = 0
    deadline_at: int | None = None
    answered_at: int | None = None
    last_answer_id: int | None = None
    response_working_days: int | None = None
    answered_on_time: bool | None = None
    follow_up_count: int = 0
    escalation_reason: str | None = None
    escalated_at: int | None = None
    rejection_reason: str | None = None
    duplicate_of: str | None = None
    rating_score: int | None = None
    closed_at: int | None = None
    urge_count: int = 0
    last_urged_at: int | None = None
    overdue_count: int = 0
    overdue_deadline_at: int | None = None
