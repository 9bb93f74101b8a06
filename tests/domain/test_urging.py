"""At most one urge a working day: the working day of a moment, weekends, holidays, and the
local date (Asia/Ho_Chi_Minh, UTC+7) rather than the UTC one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.timezone import VN_TZ
from app.domain.urging import may_urge, next_urge_from, working_day_of


def _vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)  # type: ignore[misc]


def test_a_petition_never_urged_may_be_urged_any_day() -> None:
    assert may_urge(None, _vn(2026, 12, 2, 10))
    assert may_urge(None, _vn(2026, 12, 5, 10)), "even on a Saturday"


def test_twice_the_same_working_day_is_refused_and_the_next_day_allowed() -> None:
    morning = _vn(2026, 12, 2, 8)  # Wednesday
    assert not may_urge(morning, _vn(2026, 12, 2, 17))
    assert not may_urge(morning, _vn(2026, 12, 2, 23, 59, 59))
    assert may_urge(morning, _vn(2026, 12, 3, 0, 0))
    assert next_urge_from(morning) == _vn(2026, 12, 3)


def test_the_local_date_counts_not_the_utc_one() -> None:
    # 23:30 UTC on Tuesday 1 Dec is 06:30 on Wednesday 2 Dec in Hà Nội
    late_utc = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert working_day_of(late_utc) == date(2026, 12, 2)
    assert not may_urge(late_utc, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    # 16:59 UTC on Wednesday is 23:59 local; 17:00 UTC is Thursday 00:00 local
    assert not may_urge(late_utc, datetime(2026, 12, 2, 16, 59, tzinfo=UTC))
    assert may_urge(late_utc, datetime(2026, 12, 2, 17, 0, tzinfo=UTC))
    assert next_urge_from(late_utc) == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


def test_an_urge_at_the_weekend_counts_for_the_next_working_day() -> None:
    saturday = _vn(2026, 12, 5, 10)
    assert working_day_of(saturday) == date(2026, 12, 7)
    assert not may_urge(saturday, _vn(2026, 12, 6, 10)), "Sunday: still Monday's urge"
    assert not may_urge(saturday, _vn(2026, 12, 7, 9)), "Monday itself"
    assert may_urge(saturday, _vn(2026, 12, 8, 0, 0))
    assert next_urge_from(saturday) == _vn(2026, 12, 8)


def test_friday_then_the_weekend() -> None:
    friday = _vn(2026, 12, 4, 16)
    assert may_urge(friday, _vn(2026, 12, 5, 9)), "Saturday counts for Monday"
    assert next_urge_from(friday) == _vn(2026, 12, 5)


def test_holidays_count_for_the_next_working_day() -> None:
    # Tết 2026: Monday 16 to Friday 20 February are holidays; the next working day is Mon 23
    before_tet = _vn(2026, 2, 13, 9)
    during_tet = _vn(2026, 2, 17, 9)
    assert working_day_of(during_tet) == date(2026, 2, 23)
    assert may_urge(before_tet, during_tet)
    assert not may_urge(during_tet, _vn(2026, 2, 20, 9))
    assert not may_urge(during_tet, _vn(2026, 2, 23, 16))
    assert may_urge(during_tet, _vn(2026, 2, 24, 0, 0))


def test_a_swapped_saturday_is_its_own_working_day() -> None:
    # Saturday 22 August 2026 is worked (the day off moves to Monday 31 August)
    swapped = _vn(2026, 8, 22, 9)
    assert working_day_of(swapped) == date(2026, 8, 22)
    assert may_urge(_vn(2026, 8, 21, 9), swapped)
    assert may_urge(swapped, _vn(2026, 8, 23, 9)), "Sunday counts for Monday 24 August"


def test_the_year_boundary() -> None:
    new_years_eve = _vn(2026, 12, 31, 15)  # Thursday; 1 January is a holiday, then the weekend
    assert working_day_of(_vn(2027, 1, 1, 9)) == date(2027, 1, 4)
    assert may_urge(new_years_eve, _vn(2027, 1, 1, 9))
    assert not may_urge(_vn(2027, 1, 2, 9), _vn(2027, 1, 4, 9))


@pytest.mark.parametrize("hours", range(0, 24 * 14, 5))
def test_next_urge_from_is_the_first_allowed_moment(hours: int) -> None:
    last = _vn(2026, 4, 24, 0) + timedelta(hours=hours)  # across the 30 April holidays
    first = next_urge_from(last)
    assert first > last
    assert may_urge(last, first)
    assert not may_urge(last, first - timedelta(seconds=1))
