"""Moments (epoch seconds) as text, by table lookup: a date string per day, a time string
per second of the day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple

from app.demo.schedule import SECONDS_PER_DAY, working_calendar

COPY_NULL = "\\N"
"""NULL in PostgreSQL's COPY text format."""


class MomentFormats(NamedTuple):
    copy: Callable[[int | None], str]
    """moment -> PostgreSQL COPY text of a timestamptz (`COPY_NULL` for None)."""
    chain: Callable[[int], str]
    """moment -> `app.domain.chain`'s canonical UTC time, e.g. 2026-03-02T02:30:00.000000Z."""


@cache
def moment_formats(now: int) -> MomentFormats:
    """The formats for the moments of a load at `now` (all within its working calendar)."""
    calendar = working_calendar(now)
    first_day = calendar.midnight[0] // SECONDS_PER_DAY - 1
    end_day = calendar.midnight[-1] // SECONDS_PER_DAY + 2
    dates = tuple(
        datetime.fromtimestamp(day * SECONDS_PER_DAY, UTC).date().isoformat()
        for day in range(first_day, end_day)
    )
    clock = tuple(
        f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        for second in range(SECONDS_PER_DAY)
    )
    copy_clock = tuple(f" {hms}+00" for hms in clock)
    chain_clock = tuple(f"T{hms}.000000Z" for hms in clock)

    def copy(moment: int | None) -> str:
        if moment is None:
            return COPY_NULL
        return dates[moment // SECONDS_PER_DAY - first_day] + copy_clock[moment % SECONDS_PER_DAY]

    def chain(moment: int) -> str:
        return dates[moment // SECONDS_PER_DAY - first_day] + chain_clock[moment % SECONDS_PER_DAY]

    return MomentFormats(copy, chain)
