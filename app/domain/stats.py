"""The arithmetic of statistics: figures from counts, percentiles from histograms, rankings,
quarters. Pure functions, no database, no GraphQL.

Definitions (the README's "Statistics" section says the same for readers):

* A petition counts in a window by the local (Asia/Ho_Chi_Minh) date of its submission;
  `from` and `to` are inclusive dates.
* received: petitions. answered: those with a first answer. answeredOnTime: those whose
  first answer came by the deadline that applied then. onTimeRate: answeredOnTime /
  answered (null when nothing was answered). overdueOpen: open (ASSIGNED, IN_PROGRESS,
  TRANSFER_REQUESTED, ESCALATED) with the deadline before "now". escalated: ever escalated.
  followUps: the sum of follow-ups. rejected: status REJECTED.
* medianResponseWorkingDays and p90ResponseWorkingDays: over the response times (working
  days from acceptance to the first answer) of the answered petitions, by the nearest-rank
  method: the value at rank ceil(p * n) of the n sorted values; null when n is 0.
* averageRating: the mean score of rated petitions (null when none); ratingCounts: how many
  scored 1, 2, 3, 4 and 5.
* urged: petitions urged at least once (urgeCount > 0); overdueEver: petitions that went
  overdue at least once (overdueCount > 0, an OVERDUE event written). Both count petitions,
  not events, and, like every figure, the petitions submitted in the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any, Generic, TypeVar

from app.domain.timezone import VN_TZ

MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)
SCORES = range(1, 6)
MIN_YEAR, MAX_YEAR = 2000, 2199
"""The years statistics windows and quarterly reports may name."""


COUNTS = (
    "received",
    "answered",
    "answered_on_time",
    "overdue_open",
    "escalated",
    "follow_ups",
    "rejected",
    "rated_1",
    "rated_2",
    "rated_3",
    "rated_4",
    "rated_5",
    "urged",
    "overdue_ever",
)
"""The additive counts of a group, in order. A group is a sequence (key, histogram,
*counts) (`db.queries.stats.GroupCounts`): the histogram holds the answered petitions'
response times in working days as 'days:count,...' (or is empty), and a count may be None
for 0."""


@dataclass(frozen=True)
class StatsRow:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    on_time_rate: float | None = None
    overdue_open: int = 0
    escalated: int = 0
    follow_ups: int = 0
    rejected: int = 0
    median_response_working_days: int | None = None
    p90_response_working_days: int | None = None
    average_rating: float | None = None
    rating_counts: tuple[int, ...] = (0, 0, 0, 0, 0)
    urged: int = 0
    overdue_ever: int = 0

    @property
    def urged_rate(self) -> float | None:
        """The share of the received petitions urged at least once (MOST_URGED)."""
        return rate(self.urged, self.received)


def nearest_rank(histogram: Mapping[int, int], p: Fraction) -> int | None:
    """The nearest-rank p-th percentile of the values counted in `histogram`
    (value -> how many): the value at rank ceil(p * n), n the total count; None if n = 0."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, -(-p.numerator * n // p.denominator))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable")


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def mean_score(counts: Sequence[int]) -> float | None:
    """The mean of scores 1..5 counted in `counts`."""
    n = sum(counts)
    return sum(score * c for score, c in zip(SCORES, counts, strict=True)) / n if n else None


@dataclass
class Tally:
    """Counts of some petitions, built from groups; `row()` gives their figures. Groups
    come by the thousand (one per key and response time), so adding one is kept cheap."""

    sums: list[int] = field(default_factory=lambda: [0] * len(COUNTS))
    response_days: dict[int, int] = field(default_factory=dict)

    def add(self, group: Sequence[Any]) -> None:
        sums = self.sums
        for i, n in enumerate(group[2:]):
            if n:
                sums[i] += n
        if group[1]:
            histogram = self.response_days
            for entry in group[1].split(","):
                days, n = entry.split(":")
                histogram[int(days)] = histogram.get(int(days), 0) + int(n)

    def row(self) -> StatsRow:
        t = dict(zip(COUNTS, self.sums, strict=True))
        ratings = tuple(t[f"rated_{score}"] for score in SCORES)
        return StatsRow(
            received=t["received"],
            answered=t["answered"],
            answered_on_time=t["answered_on_time"],
            on_time_rate=rate(t["answered_on_time"], t["answered"]),
            overdue_open=t["overdue_open"],
            escalated=t["escalated"],
            follow_ups=t["follow_ups"],
            rejected=t["rejected"],
            median_response_working_days=nearest_rank(self.response_days, MEDIAN),
            p90_response_working_days=nearest_rank(self.response_days, P90),
            average_rating=mean_score(ratings),
            rating_counts=ratings,
            urged=t["urged"],
            overdue_ever=t["overdue_ever"],
        )


def rows_by_key(groups: Iterable[Sequence[Any]], *, keep_null: bool = False) -> dict[Any, StatsRow]:
    """Fold groups into one row per key; null keys dropped unless asked, and keys without a
    petition too: a rollup row stays, all zeros, when its last petition moves to another
    agency (a transfer), and a breakdown lists only keys with at least one petition."""
    tallies: dict[Any, Tally] = {}
    for group in groups:
        key = group[0]
        if key is None and not keep_null:
            continue
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = Tally()
        tally.add(group)
    return {key: row for key, tally in tallies.items() if (row := tally.row()).received}


def total_row(groups: Iterable[Sequence[Any]]) -> StatsRow:
    tally = Tally()
    for group in groups:
        tally.add(group)
    return tally.row()


# --- windows ---------------------------------------------------------------


class WindowError(ValueError):
    """A window that names no period: inverted dates or an impossible year."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), VN_TZ)


def local_window(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Instants [from, to) covering the local dates `start`..`end` inclusive (open ends
    stay None)."""
    for day in (start, end):
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise WindowError(f"Dates must fall in the years {MIN_YEAR} to {MAX_YEAR}.")
    if start is not None and end is not None and start > end:
        raise WindowError("`from` is after `to`.")
    return (
        _midnight(start) if start is not None else None,
        _midnight(end + timedelta(days=1)) if end is not None else None,
    )


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def of(cls, year: int, quarter: int) -> Quarter:
        if not 1 <= quarter <= 4:
            raise WindowError("A quarter is 1, 2, 3 or 4.")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise WindowError(f"Reports cover the years {MIN_YEAR} to {MAX_YEAR}.")
        return cls(year, quarter)

    @classmethod
    def containing(cls, moment: datetime) -> Quarter:
        local = moment.astimezone(VN_TZ)
        return cls(local.year, (local.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return _midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant after the quarter."""
        return self.next().start

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    def as_of(self, now: datetime) -> datetime:
        """The "now" of the quarter's report: its last instant once it is over, the
        present while it runs. Overdue petitions are counted as of this moment."""
        last_instant = self.end - timedelta(microseconds=1)
        return min(now, last_instant)


# --- comparisons -----------------------------------------------------------


@dataclass(frozen=True)
class StatsChange:
    """Each figure of one row minus the same figure of another (None where either is None)."""

    received: int
    answered: int
    answered_on_time: int
    on_time_rate: float | None
    overdue_open: int
    escalated: int
    follow_ups: int
    rejected: int
    median_response_working_days: int | None
    p90_response_working_days: int | None
    average_rating: float | None
    rating_counts: tuple[int, ...]
    urged: int
    urged_rate: float | None
    overdue_ever: int


def _minus(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a - b


def change(current: StatsRow, previous: StatsRow) -> StatsChange:
    return StatsChange(
        received=current.received - previous.received,
        answered=current.answered - previous.answered,
        answered_on_time=current.answered_on_time - previous.answered_on_time,
        on_time_rate=_minus(current.on_time_rate, previous.on_time_rate),
        overdue_open=current.overdue_open - previous.overdue_open,
        escalated=current.escalated - previous.escalated,
        follow_ups=current.follow_ups - previous.follow_ups,
        rejected=current.rejected - previous.rejected,
        median_response_working_days=_minus(
            current.median_response_working_days, previous.median_response_working_days
        ),
        p90_response_working_days=_minus(
            current.p90_response_working_days, previous.p90_response_working_days
        ),
        average_rating=_minus(current.average_rating, previous.average_rating),
        rating_counts=tuple(
            a - b for a, b in zip(current.rating_counts, previous.rating_counts, strict=True)
        ),
        urged=current.urged - previous.urged,
        urged_rate=_minus(current.urged_rate, previous.urged_rate),
        overdue_ever=current.overdue_ever - previous.overdue_ever,
    )


# --- rankings --------------------------------------------------------------


class RankingMetric(StrEnum):
    ON_TIME_RATE = "ON_TIME_RATE"
    MEDIAN_RESPONSE = "MEDIAN_RESPONSE"
    AVERAGE_RATING = "AVERAGE_RATING"
    OVERDUE_OPEN = "OVERDUE_OPEN"
    MOST_URGED = "MOST_URGED"
    """The share of the received petitions urged at least once; the least urged rank best."""


METRICS: dict[RankingMetric, tuple[Callable[[StatsRow], float | int | None], bool]] = {
    RankingMetric.ON_TIME_RATE: (lambda row: row.on_time_rate, True),
    RankingMetric.MEDIAN_RESPONSE: (lambda row: row.median_response_working_days, False),
    RankingMetric.AVERAGE_RATING: (lambda row: row.average_rating, True),
    RankingMetric.OVERDUE_OPEN: (lambda row: row.overdue_open, False),
    RankingMetric.MOST_URGED: (lambda row: row.urged_rate, False),
}
"""Each metric's value, and whether higher is better."""

T = TypeVar("T")


@dataclass(frozen=True)
class Ranked(Generic[T]):
    rank: int | None
    """1 for the best; None for an agency listed apart or without a value."""
    agency: T
    code: str
    value: float | None
    stats: StatsRow


@dataclass(frozen=True)
class Ranking(Generic[T]):
    ranked: list[Ranked[T]]
    too_few: list[Ranked[T]]


def rank(
    entries: Iterable[tuple[T, str, StatsRow]],
    metric: RankingMetric,
    minimum: int,
    first: int | None = None,
) -> Ranking[T]:
    """Order agencies best first by `metric`, ties by agency code.

    Agencies with fewer than `minimum` petitions received are listed apart (by code);
    agencies with no value for the metric (nothing answered, nothing rated) come last,
    unranked. `first` cuts the ranked list.
    """
    value_of, higher_is_better = METRICS[metric]
    eligible: list[tuple[T, str, StatsRow, float | None]] = []
    too_few: list[Ranked[T]] = []
    for agency, code, row in entries:
        value = value_of(row)
        number = None if value is None else float(value)
        if row.received < minimum:
            too_few.append(Ranked(None, agency, code, number, row))
        else:
            eligible.append((agency, code, row, number))

    def order(item: tuple[T, str, StatsRow, float | None]) -> tuple[bool, float, str]:
        value = item[3]
        if value is None:
            return (True, 0.0, item[1])
        return (False, -value if higher_is_better else value, item[1])

    eligible.sort(key=order)
    ranked = [
        Ranked(None if value is None else position, agency, code, value, row)
        for position, (agency, code, row, value) in enumerate(eligible, start=1)
    ]
    too_few.sort(key=lambda r: r.code)
    return Ranking(ranked[:first] if first is not None else ranked, too_few)


def top_by(entries: Iterable[tuple[T, str, int]], n: int = 5) -> list[tuple[T, str, int]]:
    """The `n` entries with the largest positive counts, ties by code."""
    positive = [entry for entry in entries if entry[2] > 0]
    return sorted(positive, key=lambda e: (-e[2], e[1]))[:n]


def exemplary(
    entries: Iterable[tuple[T, str, StatsRow]], minimum: int, n: int = 5
) -> list[tuple[T, str, StatsRow]]:
    """The `n` agencies with the best on-time rate, then rating, among those with at least
    `minimum` petitions received and one answered; ties by code."""
    eligible = [e for e in entries if e[2].received >= minimum and e[2].on_time_rate is not None]

    def order(e: tuple[T, str, StatsRow]) -> tuple[float, float, str]:
        row = e[2]
        rating = row.average_rating if row.average_rating is not None else 0.0
        return (-(row.on_time_rate or 0.0), -rating, e[1])

    return sorted(eligible, key=order)[:n]
