"""Time as an event: when a deadline passes with neither an answer nor a progress update,
one OVERDUE event is written for it, by SYSTEM, at the deadline that passed.

A petition's clock runs while its status is open (`vocabulary.OPEN_STATUSES`). The actions
that (re)start it, each with a new deadline `working_days.deadline_after(at, days)`, are
`CLOCK_STARTS` (the callers of `_restart_clock` in `app.services.transitions`); an action
that leaves the open statuses (an answer, a rejection) stops it. A deadline is missed when
it passes, strictly (`deadline < moment`: an answer at the deadline itself is on time),
while the clock it ends still runs.

`overdue_deadline_at` remembers the deadline of the latest OVERDUE: deadlines only move
forward when the clock restarts, so "not yet written" is "none written, or one written for
an earlier deadline". A clock restarted on the same local day keeps the same deadline, and
that deadline gets one OVERDUE, not two.

`missed_deadlines` walks a history for the migration's backfill and the demo: the OVERDUE
events the scheduler would have written, and where each falls in the history (before the
event that found the deadline passed, as `transitions.apply` writes a late OVERDUE first).
It is generic in the time type: aware datetimes (the migration) or epoch seconds (the demo,
whose calendar computes the same deadlines).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from app.domain.vocabulary import OPEN_STATUSES, Action, is_overdue
from app.domain.working_days import deadline_after, elapsed_working_days

CLOCK_STARTS: frozenset[Action] = frozenset(
    {Action.ASSIGN, Action.TRANSFER, Action.PROGRESS_UPDATE, Action.ESCALATE, Action.FOLLOW_UP}
)
"""Actions that start the response clock anew: the deadline is counted from them."""

AGENCY_SETTING: frozenset[Action] = frozenset({Action.ASSIGN, Action.TRANSFER})
"""Actions that hand the petition to an agency (whose it is when a deadline passes)."""

OVERDUE_NOTE = (
    "Quá hạn {days} ngày làm việc mà chưa có trả lời hoặc cập nhật tiến độ / "
    "No answer or progress update within {days} working days"
)


AUTO_URGE_NOTE = (
    "Hệ thống tự động đôn đốc: quá hạn {days} ngày làm việc / "
    "Automatic reminder: {days} working days overdue"
)


def auto_urge_note(days: int) -> str:
    """The automatic URGE's public note (PAKN_AUTO_URGE_DAYS)."""
    return AUTO_URGE_NOTE.format(days=days)


def overdue_note(working_days: int) -> str:
    """The OVERDUE event's public note: the same words in every path (scheduler, late
    action, backfill, demo)."""
    return OVERDUE_NOTE.format(days=working_days)


def overdue_is_due(
    status: str,
    deadline_at: datetime | None,
    overdue_deadline_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether an OVERDUE is owed now: the petition is open, its deadline passed, and no
    OVERDUE is written for that deadline yet."""
    return is_overdue(status, deadline_at, now) and (
        overdue_deadline_at is None
        or (deadline_at is not None and overdue_deadline_at < deadline_at)
    )


def auto_urge_is_due(
    deadline_at: datetime | None, now: datetime, days: int, urged_since: bool
) -> bool:
    """Whether SYSTEM urges the agency now: `days` (> 0) working days have passed since the
    overdue deadline, and nobody urged the petition since that deadline passed."""
    if days <= 0 or deadline_at is None or urged_since or deadline_at >= now:
        return False
    return elapsed_working_days(deadline_at, now) >= days


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Ordered)


@dataclass(frozen=True, slots=True)
class HistoryEvent(Generic[T]):
    """One event of a petition's history, as far as the clock cares."""

    action: str
    to_status: str
    at: T
    agency_id: int | None = None


@dataclass(frozen=True, slots=True)
class MissedDeadline(Generic[T]):
    """An OVERDUE the scheduler would have written."""

    deadline: T
    """The deadline that passed: the event's `at`."""
    before: int
    """The index of the history event it precedes (the history's length: after all)."""
    status: str
    """The petition's status then (the event's from and to status)."""
    agency_id: int | None
    """The agency the petition was with."""


def missed_deadlines(
    events: Sequence[HistoryEvent[T]], now: T, deadline_of: Callable[[T], T]
) -> list[MissedDeadline[T]]:
    """The deadlines of this history (in event order) that passed with the clock running,
    each once, up to `now`; `deadline_of(at)` is the deadline of a clock started at `at`.
    OVERDUE events already in the history count as written for their `at`."""
    missed: list[MissedDeadline[T]] = []
    status: str | None = None
    agency_id: int | None = None
    deadline: T | None = None
    written: T | None = None

    def passed(moment: T) -> bool:
        return (
            status in OPEN_STATUSES
            and deadline is not None
            and deadline < moment
            and (written is None or written < deadline)
        )

    for index, event in enumerate(events):
        if passed(event.at):
            assert status is not None and deadline is not None
            missed.append(MissedDeadline(deadline, index, status, agency_id))
            written = deadline
        if event.action == Action.OVERDUE and (written is None or written < event.at):
            written = event.at
        if event.action in AGENCY_SETTING:
            agency_id = event.agency_id
        status = event.to_status
        if event.action in CLOCK_STARTS:
            deadline = deadline_of(event.at)
    if passed(now):
        assert status is not None and deadline is not None
        missed.append(MissedDeadline(deadline, len(events), status, agency_id))
    return missed


def working_days_clock(days: int) -> Callable[[datetime], datetime]:
    """`deadline_of` for aware datetimes: `days` working days from the clock's start."""
    return lambda at: deadline_after(at, days)
