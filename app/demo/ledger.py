"""The rows one chunk has written so far, and the next free ids."""

from __future__ import annotations

from typing import Any

from app.demo.rows import TABLE_COLUMNS, Row
from app.demo.spec import Position
from app.demo.state import PetitionState
from app.domain.workflow import VERSIONLESS_ACTIONS

_VERSIONLESS = frozenset(action.value for action in VERSIONLESS_ACTIONS)

_ENDED_AT = TABLE_COLUMNS["assignments"].index("ended_at")
_END_REASON = TABLE_COLUMNS["assignments"].index("end_reason")


class Ledger:
    __slots__ = (
        "answers",
        "assignments",
        "contacts",
        "events",
        "next_answer",
        "next_assignment",
        "next_event",
        "petitions",
        "ratings",
    )

    def __init__(self, start: Position) -> None:
        self.petitions: list[Row] = []
        self.contacts: list[Row] = []
        self.assignments: list[list[Any]] = []
        self.answers: list[Row] = []
        self.ratings: list[Row] = []
        self.events: list[Row] = []
        """Without their hashes, which `event_chain` adds once the chunk is complete."""
        self.next_assignment = start.assignment
        self.next_answer = start.answer
        self.next_event = start.event

    def record_event(
        self,
        petition: PetitionState,
        action: str,
        to_status: str,
        role: str,
        agency_id: int | None,
        note: str | None,
        is_public: bool = True,
    ) -> None:
        """An event at the petition's latest moment, moving it to `to_status`; the version
        grows as `transitions.apply` has it (not for URGE and OVERDUE)."""
        self.events.append(
            (
                self.next_event,
                petition.petition_id,
                action,
                petition.status,
                to_status,
                petition.moment,
                role,
                agency_id,
                note,
                is_public,
            )
        )
        self.next_event += 1
        petition.status = to_status
        if action not in _VERSIONLESS:
            petition.version += 1

    def open_assignment(self, petition: PetitionState, agency_id: int) -> None:
        row = [self.next_assignment, petition.petition_id, agency_id, petition.moment, None, None]
        self.next_assignment += 1
        self.assignments.append(row)
        petition.open_assignment = row
        petition.agency_id = agency_id

    @staticmethod
    def end_assignment(petition: PetitionState, reason: str) -> None:
        assert petition.open_assignment is not None
        petition.open_assignment[_ENDED_AT] = petition.moment
        petition.open_assignment[_END_REASON] = reason

    def new_answer_id(self) -> int:
        answer_id = self.next_answer
        self.next_answer += 1
        return answer_id
