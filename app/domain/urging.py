"""Urging (đôn đốc): the Government Office presses the handling agency, at most once a
working day per petition.

A moment belongs to the working day of its local (Asia/Ho_Chi_Minh) date, or, when that
date is a weekend day or a holiday, to the first working day after it: an urge sent on a
Saturday counts for the Monday, so the coordinator cannot urge on Saturday and again on
Monday morning. The rule compares working days, never hours: urging at 23:59 and again at
00:01 the next working day is allowed, urging at 08:00 and 17:00 the same day is not.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from app.domain.timezone import VN_TZ
from app.domain.working_days import add_working_days, is_working_day, local_date


def working_day_of(moment: datetime) -> date:
    """The first working day on or after `moment`'s local date."""
    day = local_date(moment)
    if is_working_day(day):
        return day
    return add_working_days(day, 1)


def may_urge(last_urged_at: datetime | None, now: datetime) -> bool:
    """Whether a petition last urged at `last_urged_at` (None: never) may be urged `now`."""
    return last_urged_at is None or working_day_of(now) > working_day_of(last_urged_at)


def next_urge_from(last_urged_at: datetime) -> datetime:
    """The first moment after `last_urged_at` at which the petition may be urged again: the
    start (local midnight) of the day after the working day the last urge counted for.

    Any moment from then on belongs to a later working day, so `may_urge` holds; any moment
    before it (and after the last urge) belongs to the same working day.
    """
    following = working_day_of(last_urged_at) + timedelta(days=1)
    return datetime.combine(following, time(0, 0), tzinfo=VN_TZ)
