"""Which steps a petition takes, and in which order, on its way to the status drawn for it.

The history is simulated forward from submission; a step that would fall after now is not
taken, and the petition stays where it got to, so recent petitions are naturally less
advanced than the status drawn for them.
"""

from __future__ import annotations

from app.demo.draw import Draw
from app.demo.enum_values import (
    ASSIGNED,
    CLOSED,
    ESCALATED,
    GOVERNMENT_AUTHORITY,
    IN_PROGRESS,
    MULTI_AGENCY_DISAGREEMENT,
    REJECTED,
    SUBMITTED,
    TRANSFER_REQUESTED,
)
from app.demo.state import PetitionState
from app.demo.steps import Steps
from app.demo.timeline import Timeline


class History:
    __slots__ = ("draw", "steps", "timeline")

    def __init__(self, draw: Draw, timeline: Timeline, steps: Steps) -> None:
        self.draw = draw
        self.timeline = timeline
        self.steps = steps

    def unfold(
        self, petition: PetitionState, ordinal: int, target: str, first_agency_id: int
    ) -> None:
        """Submit `petition` (the load's number `ordinal`) and take it towards `target`."""
        steps = self.steps
        steps.submit(petition)
        if target == SUBMITTED:
            return
        if target == REJECTED:
            steps.reject(petition, ordinal)
            return
        if not steps.assign(petition, first_agency_id):
            return
        for _ in range(self._transfer_count()):
            if not self._transfer_cycle(petition):
                return
        if target == ASSIGNED:
            if self.draw.chance(0.5):  # moved on lately, after the first agency declined
                day = self.timeline.calendar.today - self.draw.between(6, 25)
                _ = steps.request_transfer(petition, day) and steps.transfer(petition)
        elif target == TRANSFER_REQUESTED:
            _ = steps.maybe_acknowledge(petition, 0.5) and steps.request_transfer(petition)
        elif target == ESCALATED:
            self._escalated(petition)
        elif steps.acknowledge(petition):
            if target == IN_PROGRESS:
                self._in_progress(petition)
            elif self._answered(petition) and target == CLOSED:
                steps.rate(petition)

    def _transfer_count(self) -> int:
        roll = self.draw.random()
        return 0 if roll < 0.9 else 1 if roll < 0.99 else 2

    def _transfer_cycle(self, petition: PetitionState) -> bool:
        steps = self.steps
        return (
            steps.maybe_acknowledge(petition, 0.4)
            and steps.request_transfer(petition)
            and steps.transfer(petition)
        )

    def _escalated(self, petition: PetitionState) -> None:
        """Three roads to the Government: its own authority, agencies that disagree, and
        a petitioner who keeps raising it (the second follow-up escalates by itself)."""
        steps = self.steps
        roll = self.draw.random()
        if roll < 0.4:
            reached = (
                steps.acknowledge(petition) and self._updates(petition, self.draw.between(0, 1))
                if self.draw.chance(0.7)
                else True
            )
            reached = reached and steps.escalate(petition, GOVERNMENT_AUTHORITY)
        elif roll < 0.7:
            reached = (
                steps.maybe_acknowledge(petition, 0.5)
                and steps.request_transfer(petition)
                and steps.escalate(petition, MULTI_AGENCY_DISAGREEMENT)
            )
        else:
            reached = steps.acknowledge(petition) and self._repeated_complaint(petition)
        if reached and self.draw.chance(0.5):
            steps.government_update(petition)

    def _repeated_complaint(self, petition: PetitionState) -> bool:
        """Answer, follow-up, answer, follow-up: the second follow-up escalates."""
        steps = self.steps
        return (
            steps.answer(petition)
            and steps.follow_up(petition)
            and self._updates(petition, self.draw.between(0, 1))
            and steps.answer(petition)
            and steps.follow_up(petition)
        )

    def _in_progress(self, petition: PetitionState) -> None:
        """Regular updates until the agency falls silent; often a reminder from the
        Government Office brings a late update in the last weeks."""
        steps = self.steps
        if self.draw.chance(0.15) and not (steps.answer(petition) and steps.follow_up(petition)):
            return
        for _ in range(12):
            if self.draw.chance(0.2):
                break
            if not steps.progress_update(petition):
                return
        if self.draw.chance(0.6):
            steps.progress_update(petition, self.timeline.recent_day())

    def _answered(self, petition: PetitionState) -> bool:
        """Mostly a plain answer; sometimes a follow-up and a second answer, or the
        Government Office answering after an escalation."""
        steps = self.steps
        roll = self.draw.random()
        if roll < 0.06:
            return (
                self._updates(petition, self._few())
                and steps.answer(petition)
                and steps.follow_up(petition)
                and self._updates(petition, self._few())
                and steps.answer(petition)
            )
        if roll < 0.09:
            return steps.escalate(petition, GOVERNMENT_AUTHORITY) and steps.answer(
                petition, government=True
            )
        if roll < 0.11:
            return self._repeated_complaint(petition) and steps.answer(petition, government=True)
        return self._updates(petition, self._few()) and steps.answer(petition)

    def _few(self) -> int:
        roll = self.draw.random()
        return 0 if roll < 0.7 else 1 if roll < 0.9 else 2

    def _updates(self, petition: PetitionState, count: int) -> bool:
        return all(self.steps.progress_update(petition) for _ in range(count))
