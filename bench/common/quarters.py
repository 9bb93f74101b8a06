"""The reporting window the statistics benchmarks ask for: the last full quarter."""

from __future__ import annotations

from datetime import date

from app.domain.stats import Quarter


def last_full_quarter(today: date) -> Quarter:
    """The quarter before the one `today` is in."""
    return Quarter(today.year, (today.month - 1) // 3 + 1).previous()


def iso_bounds(quarter: Quarter) -> tuple[str, str]:
    """Its first and last day, as GraphQL `Date`s."""
    return quarter.first_day.isoformat(), quarter.last_day.isoformat()
