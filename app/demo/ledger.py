"""The rows one chunk has written so far, and the next free ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.demo.rows import TABLE_COLUMNS, Row
from app.demo.spec import Position
from app.demo.state import PetitionState
from app.domain.overdue import HistoryEvent, missed_deadlines, overdue_note
from app.domain.text import normalize
from app.domain.vocabulary import Action, ActorRole
from app.domain.workflow import VERSIONLESS_ACTIONS
from app.domain.working_days import RESPONSE_WORKING_DAYS

_VERSIONLESS = frozenset(action.value for action in VERSIONLESS_ACTIONS)
_OVERDUE = Action.OVERDUE.value
_SYSTEM = ActorRole.SYSTEM.value
_OVERDUE_NOTE = normalize(overdue_note(RESPONSE_WORKING_DAYS))

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

    def write_overdue(
        self,
        petition: PetitionState,
        first: int,
        deadline_of: Callable[[int], int],
        now: int,
    ) -> None:
        """Add the OVERDUE events the clock would have written to `petition`'s history
        (`self.events[first:]`, its events, the latest of the chunk): one per deadline that
        passed with neither an answer nor an update (`app.domain.overdue`), at the deadline,
        before the event that came after it, as a late action writes it; the ids follow."""
        if petition.deadline_at is None:
            return
        events = self.events[first:]
        history = [HistoryEvent(row[2], row[4], row[5], row[7]) for row in events]
        missed = missed_deadlines(history, now, deadline_of)
        if not missed:
            return
        rows: list[Row] = []
        pending = iter(missed)
        upcoming = next(pending, None)
        for index, row in enumerate([*events, None]):
            while upcoming is not None and upcoming.before == index:
                status = upcoming.status
                rows.append(
                    (
                        0,
                        petition.petition_id,
                        _OVERDUE,
                        status,
                        status,
                        upcoming.deadline,
                        _SYSTEM,
                        upcoming.agency_id,
                        _OVERDUE_NOTE,
                        True,
                    )
                )
                upcoming = next(pending, None)
            if row is not None:
                rows.append(row)
        start = events[0][0]
        self.events[first:] = [(start + n, *row[1:]) for n, row in enumerate(rows)]
        self.next_event = start + len(rows)
        petition.overdue_count = len(missed)
        petition.overdue_deadline_at = missed[-1].deadline

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
