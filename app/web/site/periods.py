"""The windows the site's figures are counted over, as local dates (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import date

from app.domain.stats import Quarter
from app.domain.timezone import now

PERIODS = ("quarter", "year", "all")
CHART_MONTHS = 24


def last_quarter() -> Quarter:
    """The last whole quarter: the one the Government Office last reported on."""
    return Quarter.containing(now()).previous()


def window(period: str) -> tuple[str | None, str | None]:
    """(from, to) of `period`: the last whole quarter, this year so far, or all time."""
    if period == "quarter":
        quarter = last_quarter()
        return quarter.first_day.isoformat(), quarter.last_day.isoformat()
    if period == "year":
        today = now().date()
        return date(today.year, 1, 1).isoformat(), today.isoformat()
    return None, None


def chart_months(months: int = CHART_MONTHS) -> list[str]:
    """The last `months` months up to this one, as "YYYY-MM", oldest first."""
    today = now().date()
    last = today.year * 12 + today.month - 1
    return [
        f"{index // 12:04d}-{index % 12 + 1:02d}" for index in range(last - months + 1, last + 1)
    ]


def chart_start(months: int = CHART_MONTHS) -> str:
    """The first day of the month `months - 1` months before this one."""
    return f"{chart_months(months)[0]}-01"
