"""The story of one petition, from its facts to its final status.

Submission times spread over the two years before now (a growing trend, a weekday rhythm),
on working days in office hours, ids in submission order. Who writes, about what and to
whom is drawn first, then the text and the contact; a final status is drawn with odds that
depend on age (recent petitions are more often still open), and the history is simulated
towards it (`history`).
"""

from __future__ import annotations

from app.demo.agencies import AgencyDirectory
from app.demo.compose import Composer
from app.demo.draw import Draw, cumulative
from app.demo.enum_values import (
    ANSWERED,
    ASSIGNED,
    BUSINESS,
    CITIZEN,
    CLOSED,
    ESCALATED,
    IN_PROGRESS,
    RECOMMENDATION,
    REFLECTION,
    REJECTED,
    SUBMITTED,
    TRANSFER_REQUESTED,
)
from app.demo.history import History
from app.demo.ledger import Ledger
from app.demo.petitioner import contact_row
from app.demo.places import draw_province
from app.demo.state import PetitionState
from app.demo.timeline import Timeline
from app.demo.wording.fields import FIELD_TEXTS
from app.domain.reference import FIELDS
from app.domain.vocabulary import PetitionSubject, tracking_code

STATUS_ODDS: tuple[tuple[str, float, float], ...] = (
    # final status, weight, age slope: weight * (1 + slope * (age - 0.5)) where age runs
    # from 0 (submitted today) to 1 (two years ago); the slopes roughly cancel out.
    (CLOSED, 37.0, 0.9),
    (ANSWERED, 20.0, 0.0),
    (IN_PROGRESS, 13.5, -1.2),
    (ASSIGNED, 7.0, -1.4),
    (REJECTED, 7.0, 0.0),
    (TRANSFER_REQUESTED, 3.0, -1.2),
    (ESCALATED, 8.0, 0.0),
)
SUBJECTS: tuple[tuple[str, int, float], ...] = (
    # subject, weight, share of REFLECTION (the rest are RECOMMENDATION)
    (PetitionSubject.ADMINISTRATIVE_PROCEDURE.value, 35, 0.55),
    (PetitionSubject.POLICY.value, 20, 0.4),
    (PetitionSubject.MECHANISM.value, 15, 0.4),
    (PetitionSubject.OFFICIAL_CONDUCT.value, 20, 0.85),
    (PetitionSubject.INITIATIVE.value, 10, 0.1),
)
LOCAL_SHARE = {
    PetitionSubject.OFFICIAL_CONDUCT.value: 0.7,
    PetitionSubject.INITIATIVE.value: 0.3,
}
"""Share of petitions, by subject, first assigned to a province's People's Committee (the
other subjects: half)."""

_SUBJECT_SHARES = cumulative([weight for _subject, weight, _reflections in SUBJECTS])
_FIELD_CODES = tuple(f.code for f in FIELDS)
_FIELD_SHARES = {
    CITIZEN: cumulative([FIELD_TEXTS[f.code].citizen_weight for f in FIELDS]),
    BUSINESS: cumulative([FIELD_TEXTS[f.code].business_weight for f in FIELDS]),
}


class Story:
    __slots__ = ("agencies", "composer", "draw", "field_ids", "history", "ledger", "timeline")

    def __init__(
        self,
        field_ids: dict[str, int],
        draw: Draw,
        timeline: Timeline,
        agencies: AgencyDirectory,
        composer: Composer,
        history: History,
        ledger: Ledger,
    ) -> None:
        self.field_ids = field_ids
        self.draw = draw
        self.timeline = timeline
        self.agencies = agencies
        self.composer = composer
        self.history = history
        self.ledger = ledger

    def tell(self, ordinal: int, petition_id: int) -> None:
        """Write the rows of the load's petition number `ordinal` (from 0)."""
        draw = self.draw
        calendar = self.timeline.calendar
        day, second = self.timeline.submission(ordinal)
        petition = PetitionState(petition_id, day, second, calendar.midnight[day] + second)
        submitted_at = petition.moment
        petition.tracking_code = tracking_code(petition_id, calendar.years[day])
        petition.channel = BUSINESS if draw.chance(0.2) else CITIZEN
        petition.field_code = _FIELD_CODES[draw.weighted_index(_FIELD_SHARES[petition.channel])]
        petition.subject, _weight, reflections = SUBJECTS[draw.weighted_index(_SUBJECT_SHARES)]
        petition.kind = REFLECTION if draw.chance(reflections) else RECOMMENDATION
        first_agency_id = self._route(petition)
        petition.is_private = draw.chance(0.1)
        values = self.composer.values(petition)
        title, title_folded = self.composer.title(petition, values)
        body, body_folded = self.composer.body(petition, values)
        self.ledger.contacts.append(contact_row(draw, petition))
        first_event = len(self.ledger.events)
        self.history.unfold(petition, ordinal, self._final_status(day), first_agency_id)
        self.history.steps.urge_if_overdue(petition)
        self.ledger.write_overdue(petition, first_event, self.timeline.deadline_of, calendar.now)
        self.ledger.petitions.append(
            (
                petition_id,
                petition.tracking_code,
                petition.channel,
                petition.kind,
                petition.subject,
                title,
                body,
                petition.is_private,
                self.field_ids[petition.field_code],
                petition.province.code if petition.province else None,
                petition.status,
                petition.agency_id,
                submitted_at,
                petition.accepted_at,
                petition.clock_started_at,
                petition.deadline_at,
                petition.answered_at,
                petition.response_working_days,
                petition.answered_on_time,
                petition.closed_at,
                petition.follow_up_count,
                petition.escalation_reason,
                petition.rejection_reason,
                petition.duplicate_of,
                petition.version,
                "" if petition.is_private else f"{title_folded} {body_folded}",
                petition.escalated_at,
                petition.rating_score,
                petition.urge_count,
                petition.last_urged_at,
                petition.overdue_count,
                petition.overdue_deadline_at,
            )
        )

    def _route(self, petition: PetitionState) -> int:
        """Choose the petition's province and the agency it will first be assigned to."""
        draw = self.draw
        province = draw_province(draw)
        if draw.chance(LOCAL_SHARE.get(petition.subject, 0.5)):
            petition.province = province
            return self.agencies.people_committees[province.code]
        petition.province = None if draw.chance(0.15) else province
        if draw.chance(0.9):
            return draw.pick(self.agencies.field_ministries[petition.field_code])
        return self.agencies.government_inspectorate

    def _final_status(self, submission_day: int) -> str:
        """Where the history heads: the younger the petition, the likelier still open."""
        calendar = self.timeline.calendar
        age_days = calendar.today - submission_day
        if age_days < 25 and self.draw.chance(0.9 if age_days < 3 else 0.62):
            return SUBMITTED
        age = age_days / max(1, calendar.today - calendar.first_submission)
        weights = [base * (1 + slope * (age - 0.5)) for _status, base, slope in STATUS_ODDS]
        remaining = self.draw.random() * sum(weights)
        for (status, _base, _slope), weight in zip(STATUS_ODDS, weights, strict=True):
            remaining -= weight
            if remaining < 0:
                return status
        return CLOSED
