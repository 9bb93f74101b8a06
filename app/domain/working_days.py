"""Working days on Vietnam's official calendar.

A working day is Monday to Friday, less the public holidays and days off that the
`holidays` package lists for VN, plus the weekend days it lists as swapped working days.
The 20-working-day clock starts on the local (Asia/Ho_Chi_Minh) date of acceptance or of
the latest progress update; that day is day 0 and the deadline falls at the end of the
20th working day after it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from app.domain.timezone import VN_TZ

_END_OF_DAY = time(23, 59, 59)


@cache
def _working_days_of(year: int) -> tuple[date, ...]:
    calendar = holidays.country_holidays("VN", years=year)
    swapped = {d for d in calendar.weekend_workdays if d.year == year}
    day = date(year, 1, 1)
    days: list[date] = []
    while day.year == year:
        if (day.weekday() < 5 and day not in calendar) or day in swapped:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def is_working_day(day: date) -> bool:
    days = _working_days_of(day.year)
    index = bisect_left(days, day)
    return index < len(days) and days[index] == day


def add_working_days(start: date, count: int) -> date:
    """The date of the `count`-th working day strictly after `start` (count >= 1)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    year = start.year
    days = _working_days_of(year)
    index = bisect_right(days, start)
    remaining = count
    while remaining > len(days) - index:
        remaining -= len(days) - index
        year += 1
        days = _working_days_of(year)
        index = 0
    return days[index + remaining - 1]


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start`, up to and including `end`."""
    if end <= start:
        return 0
    total = 0
    for year in range(start.year, end.year + 1):
        days = _working_days_of(year)
        low = bisect_right(days, start) if year == start.year else 0
        high = bisect_right(days, end) if year == end.year else len(days)
        total += high - low
    return total


def local_date(moment: datetime) -> date:
    return moment.astimezone(VN_TZ).date()


RESPONSE_WORKING_DAYS = 20
"""Working days an agency has to publish an answer or a progress update, from acceptance
or the latest update (PAKN_RESPONSE_WORKING_DAYS may set another)."""


def deadline_after(clock_start: datetime, working_days: int) -> datetime:
    """The last instant by which an answer or update is due, as an aware datetime."""
    due_day = add_working_days(local_date(clock_start), working_days)
    return datetime.combine(due_day, _END_OF_DAY, tzinfo=VN_TZ)


def elapsed_working_days(since: datetime, until: datetime) -> int:
    return working_days_between(local_date(since), local_date(until))


def working_days_left(deadline_at: datetime, now: datetime) -> int:
    """Working days after today up to the deadline's day: 0 on that day and after it."""
    return working_days_between(local_date(now), local_date(deadline_at))
