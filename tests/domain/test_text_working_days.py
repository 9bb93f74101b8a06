"""Pure rules of the domain, tested without a server: text folding and working days."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from app.domain.text import fold, normalize, petition_search_terms, search_terms
from app.domain.timezone import VN_TZ
from app.domain.working_days import (
    add_working_days,
    deadline_after,
    elapsed_working_days,
    is_working_day,
    working_days_between,
    working_days_left,
)


def test_normalize_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Thủ tục đất đai")
    assert decomposed != "Thủ tục đất đai"
    assert normalize(decomposed) == "Thủ tục đất đai"


def test_fold_ignores_case_diacritics_and_d_stroke() -> None:
    assert fold("Thủ tục ĐẤT ĐAI, hộ tịch!") == "thu tuc dat dai ho tich"
    assert fold(unicodedata.normalize("NFD", "Đường")) == "duong"
    assert search_terms("  thu   tuc ") == ["thu", "tuc"]
    assert search_terms("!!! ...") == []


def test_petition_search_terms_keep_a_trailing_star_as_a_prefix() -> None:
    assert petition_search_terms("Thủ tục  đất*") == ["thu", "tuc", "dat*"]
    assert petition_search_terms("thủ-tục* *") == ["thu", "tuc*"], "the star ends the last word"
    assert petition_search_terms("*dat da*i") == ["dat", "da", "i"], "only a trailing star counts"
    assert petition_search_terms("* !!! ...") == []


def test_weekends_and_public_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 2, 14))  # Saturday
    assert not is_working_day(date(2026, 2, 17))  # Tết Nguyên đán
    assert not is_working_day(date(2026, 9, 2))  # National Day
    assert is_working_day(date(2026, 2, 23))


def test_swapped_saturday_is_a_working_day() -> None:
    assert is_working_day(date(2025, 4, 26))  # worked to bridge the 30/4 holiday
    assert not is_working_day(date(2025, 5, 2))


def test_tet_pauses_the_clock() -> None:
    # Friday 13 Feb 2026; Tết holidays 16-20 Feb; the next working day is Monday 23 Feb.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_long_weekend_around_reunification_day() -> None:
    # 30 Apr and 1 May 2026 are holidays (Thu, Fri): Wed 29 Apr + 1 working day = Mon 4 May.
    assert add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)


def test_year_boundary() -> None:
    # 31 Dec 2025 (Wed) -> 1 Jan 2026 is a holiday -> Friday 2 Jan.
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert working_days_between(date(2025, 12, 30), date(2026, 1, 5)) == 3


def test_twenty_working_day_deadline_is_end_of_day_in_vietnam() -> None:
    accepted = datetime(2026, 3, 2, 9, 30, tzinfo=VN_TZ)  # Monday
    deadline = deadline_after(accepted, 20)
    assert deadline == datetime(2026, 3, 30, 23, 59, 59, tzinfo=VN_TZ)
    assert elapsed_working_days(accepted, deadline) == 20


def test_add_and_count_are_inverse_over_two_years() -> None:
    start = date(2024, 12, 20)
    for count in (1, 5, 20, 60, 250, 400):
        assert working_days_between(start, add_working_days(start, count)) == count


def test_working_days_left_count_down_to_the_deadlines_day() -> None:
    start = datetime(2026, 4, 27, 9, 0, tzinfo=VN_TZ)
    deadline = deadline_after(start, 20)
    assert working_days_left(deadline, start) == 20
    assert working_days_left(deadline, deadline) == 0
    assert working_days_left(deadline, datetime(2027, 1, 1, tzinfo=VN_TZ)) == 0
    for day in range(1, 40):
        moment = datetime(2026, 4, 27, 9, 0, tzinfo=VN_TZ) + timedelta(days=day)
        elapsed = elapsed_working_days(start, moment)
        assert working_days_left(deadline, moment) == max(0, 20 - elapsed)
