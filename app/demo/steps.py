"""The steps of a petition's history, one method per workflow action, each written as
`app.services.transitions` would have written it: the event, and the facts it fixes on the
petition, its assignments, answers and rating.

A step first moves the petition to a later working moment; if that would fall after now it
is not taken and returns False, and the petition stays where it got to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from app.demo.agencies import AgencyDirectory
from app.demo.compose import Composer
from app.demo.draw import Draw, cumulative
from app.demo.enum_values import (
    ABUSIVE,
    ACKNOWLEDGE,
    AGENCY_OFFICER,
    ANSWER,
    ANSWERED,
    ASSIGN,
    ASSIGNED,
    CLOSED,
    COORDINATOR,
    DUPLICATE,
    ESCALATE,
    ESCALATED,
    FOLLOW_UP,
    IN_PROGRESS,
    INSUFFICIENT_INFO,
    OUT_OF_SCOPE,
    PETITIONER,
    PROGRESS_UPDATE,
    RATE,
    REJECT,
    REJECTED,
    REPEATED_COMPLAINT,
    REQUEST_TRANSFER,
    SUBMIT,
    SUBMITTED,
    SYSTEM,
    TRANSFER,
    TRANSFER_REQUESTED,
    URGE,
)
from app.demo.ledger import Ledger
from app.demo.schedule import OFFICE_END, OFFICE_START
from app.demo.spec import LoadSpec
from app.demo.state import PetitionState
from app.demo.timeline import Timeline
from app.demo.wording.record import (
    ACKNOWLEDGE_NOTES,
    ANSWER_NOTES,
    ASSIGN_NOTES,
    ESCALATE_NOTES,
    FOLLOW_UP_NOTES,
    PROGRESS_NOTES,
    RATING_COMMENTS,
    REJECT_NOTES,
    REQUEST_TRANSFER_NOTES,
    TRANSFER_NOTES,
    URGE_NOTES,
)
from app.domain.signing import seal_answer
from app.domain.text import normalize
from app.domain.vocabulary import tracking_code
from app.domain.workflow import after_follow_up
from app.domain.working_days import RESPONSE_WORKING_DAYS

REJECTIONS = ((OUT_OF_SCOPE, 40), (DUPLICATE, 25), (ABUSIVE, 5), (INSUFFICIENT_INFO, 30))
"""Rejection reasons and their weights."""
SCORES = {
    "pleased": (5, 7, 18, 35, 35),
    "late": (15, 20, 30, 20, 15),
    "disputed": (22, 25, 25, 17, 11),
}
"""Weights of the scores 1 to 5, by how the petitioner fared: answered on time, answered
late, or having followed up."""
_SCORE_SHARES = {mood: cumulative(weights) for mood, weights in SCORES.items()}


def _normalized(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(normalize(t) for t in texts)


_ASSIGN_NOTES = _normalized(ASSIGN_NOTES)
_TRANSFER_NOTES = _normalized(TRANSFER_NOTES)
_ACKNOWLEDGE_NOTES = _normalized(ACKNOWLEDGE_NOTES)
_REQUEST_TRANSFER_NOTES = _normalized(REQUEST_TRANSFER_NOTES)
_PROGRESS_NOTES = _normalized(PROGRESS_NOTES)
_FOLLOW_UP_NOTES = _normalized(FOLLOW_UP_NOTES)
_URGE_NOTES = _normalized(URGE_NOTES)
URGEABLE = frozenset({ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED})
URGE_SHARE = 0.6
"""Of the open petitions left overdue, the share the Government Office urges."""


class Steps:
    __slots__ = ("agencies", "composer", "draw", "keys", "ledger", "timeline")

    def __init__(
        self,
        spec: LoadSpec,
        draw: Draw,
        timeline: Timeline,
        ledger: Ledger,
        agencies: AgencyDirectory,
        composer: Composer,
    ) -> None:
        self.keys = spec.keys
        self.draw = draw
        self.timeline = timeline
        self.ledger = ledger
        self.agencies = agencies
        self.composer = composer

    def _note(self, notes: tuple[str, ...], agency_id: int | None = None) -> str:
        note = self.draw.pick(notes)
        return note.format(agency=self.agencies.names[agency_id]) if agency_id is not None else note

    def submit(self, petition: PetitionState) -> None:
        self.ledger.record_event(petition, SUBMIT, SUBMITTED, PETITIONER, None, None)

    def reject(self, petition: PetitionState, ordinal: int) -> bool:
        """Rejected by the Government Office; a duplicate names an earlier petition."""
        if not self.timeline.move_after(petition, 0, 3):
            return False
        reason = self.draw.pick_weighted(REJECTIONS)
        if reason == DUPLICATE and ordinal == 0:
            reason = INSUFFICIENT_INFO
        if reason == DUPLICATE:
            earlier = ordinal - 1 - int(self.draw.random() * min(ordinal, 3_000))
            year = self.timeline.calendar.years[self.timeline.submission_day(earlier)]
            earlier_id = petition.petition_id - (ordinal - earlier)
            petition.duplicate_of = tracking_code(earlier_id, year)
        petition.rejection_reason = reason
        note = normalize(self.draw.pick(REJECT_NOTES[reason]).format(code=petition.duplicate_of))
        self.ledger.record_event(petition, REJECT, REJECTED, COORDINATOR, None, note)
        return True

    def assign(self, petition: PetitionState, agency_id: int) -> bool:
        """Accepted and assigned: the first 20 working days start."""
        if not self.timeline.move_after(petition, 0, 3):
            return False
        petition.accepted_at = petition.moment
        petition.accepted_day = petition.day
        self.timeline.start_clock(petition)
        self.ledger.open_assignment(petition, agency_id)
        note = self._note(_ASSIGN_NOTES, agency_id)
        self.ledger.record_event(petition, ASSIGN, ASSIGNED, COORDINATOR, agency_id, note)
        return True

    def maybe_acknowledge(self, petition: PetitionState, probability: float) -> bool:
        """Acknowledge with `probability`; True also when the agency does not."""
        return self.acknowledge(petition) if self.draw.chance(probability) else True

    def acknowledge(self, petition: PetitionState) -> bool:
        if not self.timeline.move_after(petition, 0, 5):
            return False
        note = self._note(_ACKNOWLEDGE_NOTES) if self.draw.chance(0.5) else None
        self.ledger.record_event(
            petition, ACKNOWLEDGE, IN_PROGRESS, AGENCY_OFFICER, petition.agency_id, note
        )
        return True

    def request_transfer(self, petition: PetitionState, day: int | None = None) -> bool:
        """The agency asks to hand the petition on (an internal event), on `day` or some
        days after the latest event."""
        if not self.timeline.move_to(
            petition, petition.day + self.draw.between(1, 8) if day is None else day
        ):
            return False
        note = self._note(_REQUEST_TRANSFER_NOTES)
        self.ledger.record_event(
            petition,
            REQUEST_TRANSFER,
            TRANSFER_REQUESTED,
            AGENCY_OFFICER,
            petition.agency_id,
            note,
            False,
        )
        return True

    def transfer(self, petition: PetitionState) -> bool:
        """To another agency, whose 20 working days start now."""
        if not self.timeline.move_after(petition, 1, 5):
            return False
        agency_id = self._other_agency(petition)
        self.ledger.end_assignment(petition, "TRANSFERRED")
        self.ledger.open_assignment(petition, agency_id)
        self.timeline.start_clock(petition)
        note = self._note(_TRANSFER_NOTES, agency_id)
        self.ledger.record_event(petition, TRANSFER, ASSIGNED, COORDINATOR, agency_id, note)
        return True

    def _other_agency(self, petition: PetitionState) -> int:
        """Where a transfer goes: a competent ministry, or the province's committee."""
        agencies = self.agencies
        ministries = agencies.field_ministries[petition.field_code]
        if petition.agency_id in agencies.province_agencies:
            return self.draw.pick(ministries)
        if petition.province is not None and self.draw.chance(0.5):
            return agencies.people_committees[petition.province.code]
        others = [m for m in ministries if m != petition.agency_id]
        return self.draw.pick(others or [m for m in agencies.ministries if m != petition.agency_id])

    def progress_update(self, petition: PetitionState, day: int | None = None) -> bool:
        """A public update by the agency, usually within the 20 days."""
        if day is None:
            late = self.draw.chance(0.15)
            day = petition.clock_day + (
                self.draw.between(21, 35) if late else self.draw.between(5, 19)
            )
        return self._update(petition, day, IN_PROGRESS, AGENCY_OFFICER)

    def government_update(self, petition: PetitionState) -> bool:
        """The Government Office reports progress on an escalated petition, lately."""
        return self._update(petition, self.timeline.recent_day(), ESCALATED, COORDINATOR)

    def _update(self, petition: PetitionState, day: int, status: str, role: str) -> bool:
        """A progress update on `day`, which restarts the clock."""
        if not self.timeline.move_to(petition, day):
            return False
        self.timeline.start_clock(petition)
        note = self._note(_PROGRESS_NOTES)
        self.ledger.record_event(petition, PROGRESS_UPDATE, status, role, petition.agency_id, note)
        return True

    def _answer_delay(self) -> int:
        """Working days from the clock's start to an answer: mostly in time, some late."""
        roll = self.draw.random()
        if roll < 0.72:
            return self.draw.between(2, 19)
        if roll < 0.8:
            return RESPONSE_WORKING_DAYS
        return self.draw.between(21, 60)

    def answer(self, petition: PetitionState, *, government: bool = False) -> bool:
        """An answer by the agency (or, for an escalated petition, the Government Office),
        sealed with its key; the first fixes the response time and whether it was on time."""
        if not self.timeline.move_to(petition, petition.clock_day + self._answer_delay()):
            return False
        agency_id = self.agencies.government_office if government else petition.agency_id
        assert agency_id is not None and petition.deadline_at is not None
        answer_id = self.ledger.new_answer_id()
        body = self.composer.answer_body(petition, self.agencies.names[agency_id])
        key_id, private_key = self.keys[agency_id]
        seal = seal_answer(
            private_key,
            petition.tracking_code,
            self.agencies.codes[agency_id],
            body,
            datetime.fromtimestamp(petition.moment, UTC),
        )
        self.ledger.answers.append(
            (
                answer_id,
                petition.petition_id,
                agency_id,
                body,
                petition.moment,
                seal.signature,
                key_id,
                seal.version,
                seal.body_sha256,
            )
        )
        petition.last_answer_id = answer_id
        if petition.answered_at is None:
            petition.answered_at = petition.moment
            petition.response_working_days = petition.day - petition.accepted_day
            petition.answered_on_time = petition.moment <= petition.deadline_at
        role = COORDINATOR if government else AGENCY_OFFICER
        note = self.draw.pick(ANSWER_NOTES)
        self.ledger.record_event(
            petition, ANSWER, ANSWERED, role, agency_id, note and normalize(note)
        )
        return True

    def rate(self, petition: PetitionState) -> bool:
        """The petitioner rates the last answer, which closes the petition."""
        if not self.timeline.move_after(petition, 0, 15):
            return False
        if petition.follow_up_count:
            mood = "disputed"
        else:
            mood = "pleased" if petition.answered_on_time else "late"
        score = 1 + self.draw.weighted_index(_SCORE_SHARES[mood])
        comment = None
        if self.draw.chance(0.45):
            comment = normalize(self.draw.pick(RATING_COMMENTS[score]))
        self.ledger.ratings.append(
            (petition.petition_id, petition.last_answer_id, score, comment, petition.moment)
        )
        petition.rating_score = score
        petition.closed_at = petition.moment
        self.ledger.record_event(petition, RATE, CLOSED, PETITIONER, petition.agency_id, None)
        return True

    def follow_up(self, petition: PetitionState) -> bool:
        """The petitioner disputes the answer: back to IN_PROGRESS with a new clock; the
        second follow-up escalates the petition at once (by SYSTEM, a second later). Its
        note is the petitioner's text, public unless the petition is private."""
        if not self.timeline.move_after(petition, 0, 15):
            return False
        escalates = after_follow_up(petition.follow_up_count + 1)
        if escalates and petition.moment + 1 > self.timeline.calendar.now:
            return False
        petition.follow_up_count += 1
        self.timeline.start_clock(petition)
        note = self._note(_FOLLOW_UP_NOTES)
        self.ledger.record_event(
            petition,
            FOLLOW_UP,
            IN_PROGRESS,
            PETITIONER,
            petition.agency_id,
            note,
            not petition.is_private,
        )
        if escalates:
            petition.second += 1
            petition.moment += 1
            self._record_escalation(petition, REPEATED_COMPLAINT, SYSTEM)
        return True

    def escalate(self, petition: PetitionState, reason: str) -> bool:
        """The Government Office takes the petition up; a new clock starts."""
        if not self.timeline.move_after(petition, 1, 10):
            return False
        self.timeline.start_clock(petition)
        self._record_escalation(petition, reason, COORDINATOR)
        return True

    def urge_if_overdue(self, petition: PetitionState) -> None:
        """The Government Office urges the agency that let an open petition's deadline pass:
        `URGE_SHARE` of them, one to six working days after the deadline, and a third of
        those once more a few working days later (never twice a working day, never after
        now). The last events of a history: nothing else moves the petition afterwards.

        Drawn from a stream of the petition's own, not the chunk's, so that every other
        row of a load comes out as it did before the demo urged."""
        if petition.status not in URGEABLE or petition.deadline_at is None:
            return
        calendar = self.timeline.calendar
        day = petition.clock_day + RESPONSE_WORKING_DAYS
        if day >= calendar.today:
            return
        draw = Draw(f"pakn-demo-urge:{petition.petition_id}:{petition.moment}")
        if not draw.chance(URGE_SHARE):
            return
        for _ in range(2 if draw.chance(0.35) else 1):
            day = max(day, petition.day) + draw.between(1, 6)
            second = OFFICE_START + int(draw.random() * (OFFICE_END - OFFICE_START))
            if day > calendar.today or calendar.midnight[day] + second > calendar.now:
                return
            petition.day, petition.second = day, second
            petition.moment = petition.last_urged_at = calendar.midnight[day] + second
            petition.urge_count += 1
            assert petition.agency_id is not None
            note = draw.pick(_URGE_NOTES).format(agency=self.agencies.names[petition.agency_id])
            self.ledger.record_event(
                petition, URGE, petition.status, COORDINATOR, petition.agency_id, note
            )

    def _record_escalation(self, petition: PetitionState, reason: str, role: str) -> None:
        petition.escalation_reason = reason
        if petition.escalated_at is None:
            petition.escalated_at = petition.moment
        note = normalize(self.draw.pick(ESCALATE_NOTES[reason]))
        self.ledger.record_event(petition, ESCALATE, ESCALATED, role, petition.agency_id, note)
