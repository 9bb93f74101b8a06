"""Working time around `now`: the working days every moment falls on, and how many
petitions are submitted on each.

Time is integer epoch seconds. Every event falls on a working day, so a moment is "working
day number `day` + seconds into the local day": a deadline (`deadline_after(t, 20)`) is day
`day + 20`, elapsed working days a subtraction, "on time" a comparison. The working days come
from `app.domain.working_days`, listed once per load.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from random import Random

from app.domain.timezone import VN_TZ
from app.domain.working_days import is_working_day

HISTORY_DAYS = 730
"""How far back submissions go, in calendar days."""
OFFICE_START = 8 * 3600
OFFICE_END = 17 * 3600 - 60
END_OF_DAY = 86_399
SECONDS_PER_DAY = 86_400

WEEKDAY_VOLUME = (1.15, 1.05, 1.0, 0.95, 0.85, 0.5, 0.5)
"""Petitions submitted on each weekday, Monday first, relative to a Wednesday."""


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days around `now`, numbered from 0; moments are epoch seconds."""

    days: tuple[date, ...]
    midnight: tuple[int, ...]
    """Each day's local midnight, as a moment."""
    years: tuple[int, ...]
    first_submission: int
    """Number of the first day a petition may be submitted on."""
    last_submission: int
    """Number of the last day a petition may be submitted on (its office hours are past)."""
    today: int
    """Number of the last working day on or before now's local date."""
    now: int


@cache
def working_calendar(now: int) -> WorkingCalendar:
    """The working days from some months before the first submission (the dates a body
    mentions) to some months after now (the deadlines)."""
    local_today = datetime.fromtimestamp(now, VN_TZ).date()
    days: list[date] = []
    day = local_today - timedelta(days=HISTORY_DAYS + 120)
    while day <= local_today + timedelta(days=150):
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    midnight = tuple(int(datetime.combine(d, time(0), VN_TZ).timestamp()) for d in days)
    today = bisect_right(days, local_today) - 1
    return WorkingCalendar(
        days=tuple(days),
        midnight=midnight,
        years=tuple(d.year for d in days),
        first_submission=bisect_right(days, local_today - timedelta(days=HISTORY_DAYS)),
        last_submission=today if now - midnight[today] >= OFFICE_END else today - 1,
        today=today,
        now=now,
    )


@lru_cache(maxsize=8)
def daily_totals(seed: int, total: int, now: int) -> tuple[int, ...]:
    """Cumulative petitions per submission day (from the first to the last): a growing
    trend, a weekday rhythm and some noise, fixed by the seed."""
    calendar = working_calendar(now)
    noise = Random(f"pakn-demo:{seed}:days")
    span = calendar.last_submission - calendar.first_submission + 1
    weights = [
        (0.6 + 0.8 * offset / max(1, span - 1))
        * WEEKDAY_VOLUME[calendar.days[calendar.first_submission + offset].weekday()]
        * (0.8 + 0.4 * noise.random())
        for offset in range(span)
    ]
    scale = total / sum(weights)
    cumulative: list[int] = []
    running = 0.0
    for weight in weights:
        running += weight
        cumulative.append(round(running * scale))
    cumulative[-1] = total
    return tuple(cumulative)
