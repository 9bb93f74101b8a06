"""Moving a petition through working time: submitted in office hours, each later step on a
later working day or later the same day, never after now."""

from __future__ import annotations

from bisect import bisect_right

from app.demo.draw import Draw
from app.demo.schedule import (
    END_OF_DAY,
    OFFICE_END,
    OFFICE_START,
    WorkingCalendar,
)
from app.demo.state import PetitionState
from app.domain.working_days import RESPONSE_WORKING_DAYS


class Timeline:
    __slots__ = ("calendar", "daily_totals", "draw")

    def __init__(
        self, calendar: WorkingCalendar, daily_totals: tuple[int, ...], draw: Draw
    ) -> None:
        self.calendar = calendar
        self.daily_totals = daily_totals
        """Cumulative petitions per submission day (`schedule.daily_totals`)."""
        self.draw = draw

    def submission_day(self, ordinal: int) -> int:
        """The working day the load's petition number `ordinal` (from 0) is submitted on."""
        return self.calendar.first_submission + bisect_right(self.daily_totals, ordinal)

    def submission(self, ordinal: int) -> tuple[int, int]:
        """Petition `ordinal`'s working day and second: the day's petitions spread evenly
        over office hours, in id order."""
        day_offset = bisect_right(self.daily_totals, ordinal)
        before = self.daily_totals[day_offset - 1] if day_offset else 0
        count = self.daily_totals[day_offset] - before
        span = OFFICE_END - OFFICE_START
        second = OFFICE_START + int((ordinal - before + self.draw.random()) * span / count)
        return self.calendar.first_submission + day_offset, second

    def move_to(self, petition: PetitionState, day: int) -> bool:
        """Move `petition` to a random office-hour moment of working day `day` (at least a
        minute after its latest event); False, moving nothing, if that would be after now."""
        if day <= petition.day:
            day = petition.day
            earliest = petition.second + 60
            if earliest >= OFFICE_END:
                day += 1
                earliest = OFFICE_START
        else:
            earliest = OFFICE_START
        if day > self.calendar.today:
            return False
        second = earliest + int(self.draw.random() * (OFFICE_END - earliest))
        moment = self.calendar.midnight[day] + second
        if moment > self.calendar.now:
            return False
        petition.day, petition.second, petition.moment = day, second, moment
        return True

    def move_after(self, petition: PetitionState, fewest: int, most: int) -> bool:
        """Move `petition` to a day `fewest` to `most` working days after its latest event."""
        return self.move_to(petition, petition.day + self.draw.between(fewest, most))

    def recent_day(self) -> int:
        """A working day in the last four weeks or so."""
        return self.calendar.today - self.draw.between(0, 18)

    def deadline_of(self, moment: int) -> int:
        """The deadline of a clock started at `moment` (on a working day), as `start_clock`
        sets it."""
        midnight = self.calendar.midnight
        day = bisect_right(midnight, moment) - 1
        return midnight[day + RESPONSE_WORKING_DAYS] + END_OF_DAY

    def start_clock(self, petition: PetitionState) -> None:
        """The response clock starts at the latest event: due by the end of the 20th
        working day after it."""
        petition.clock_started_at = petition.moment
        petition.clock_day = petition.day
        petition.deadline_at = (
            self.calendar.midnight[petition.day + RESPONSE_WORKING_DAYS] + END_OF_DAY
        )
