"""Time as an event (#15, point 2): when an OVERDUE is owed, and which deadlines of a
history passed with neither an answer nor a progress update."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.overdue import (
    HistoryEvent,
    MissedDeadline,
    auto_urge_is_due,
    missed_deadlines,
    overdue_is_due,
    overdue_note,
    working_days_clock,
)
from app.domain.timezone import VN_TZ
from app.domain.vocabulary import Action, PetitionStatus
from app.domain.working_days import deadline_after

DAYS = 20
CLOCK = working_days_clock(DAYS)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)  # a Monday
FIRST = deadline_after(T0, DAYS)
LATER = datetime(2026, 12, 1, 9, 0, tzinfo=VN_TZ)


def _event(
    action: Action, status: PetitionStatus, at: datetime, agency: int | None = None
) -> HistoryEvent[datetime]:
    return HistoryEvent(action.value, status.value, at, agency)


def _assigned(at: datetime = T0, agency: int = 7) -> list[HistoryEvent[datetime]]:
    return [
        _event(Action.SUBMIT, PetitionStatus.SUBMITTED, at - timedelta(days=1)),
        _event(Action.ASSIGN, PetitionStatus.ASSIGNED, at, agency),
    ]


def test_owed_when_open_past_its_deadline_and_not_yet_written() -> None:
    after = FIRST + timedelta(seconds=1)
    assert overdue_is_due("IN_PROGRESS", FIRST, None, after)
    assert overdue_is_due("ESCALATED", FIRST, FIRST - timedelta(days=30), after)
    assert not overdue_is_due("IN_PROGRESS", FIRST, FIRST, after), "written for this deadline"
    assert not overdue_is_due("IN_PROGRESS", FIRST, None, FIRST), "at the deadline: on time"
    assert not overdue_is_due("ANSWERED", FIRST, None, after)
    assert not overdue_is_due("CLOSED", FIRST, None, after)
    assert not overdue_is_due("SUBMITTED", None, None, after)


def test_the_note_names_the_working_days_in_both_languages() -> None:
    note = overdue_note(20)
    assert "Quá hạn 20 ngày làm việc" in note and "within 20 working days" in note


def test_an_answer_in_time_leaves_no_missed_deadline() -> None:
    history = [
        *_assigned(),
        _event(Action.ACKNOWLEDGE, PetitionStatus.IN_PROGRESS, T0 + timedelta(days=2)),
        _event(Action.ANSWER, PetitionStatus.ANSWERED, FIRST),
        _event(Action.RATE, PetitionStatus.CLOSED, FIRST + timedelta(days=3)),
    ]
    assert missed_deadlines(history, LATER, CLOCK) == []


def test_a_petition_left_alone_misses_its_deadline_once_the_deadline_passes() -> None:
    history = _assigned()
    assert missed_deadlines(history, FIRST, CLOCK) == []
    expected = [MissedDeadline(FIRST, 2, "ASSIGNED", 7)]
    assert missed_deadlines(history, FIRST + timedelta(microseconds=1), CLOCK) == expected
    assert missed_deadlines(history, LATER, CLOCK) == expected


def test_an_answer_given_late_follows_its_overdue() -> None:
    late = FIRST + timedelta(days=5)
    history = [
        *_assigned(),
        _event(Action.ACKNOWLEDGE, PetitionStatus.IN_PROGRESS, T0 + timedelta(days=1)),
        _event(Action.ANSWER, PetitionStatus.ANSWERED, late),
    ]
    assert missed_deadlines(history, LATER, CLOCK) == [MissedDeadline(FIRST, 3, "IN_PROGRESS", 7)]


def test_a_late_update_restarts_the_clock_and_its_deadline_can_pass_too() -> None:
    update = FIRST + timedelta(days=3)
    history = [
        *_assigned(),
        _event(Action.ACKNOWLEDGE, PetitionStatus.IN_PROGRESS, T0 + timedelta(days=1)),
        _event(Action.PROGRESS_UPDATE, PetitionStatus.IN_PROGRESS, update),
    ]
    second = deadline_after(update, DAYS)
    assert missed_deadlines(history, second, CLOCK) == [MissedDeadline(FIRST, 3, "IN_PROGRESS", 7)]
    assert missed_deadlines(history, LATER, CLOCK) == [
        MissedDeadline(FIRST, 3, "IN_PROGRESS", 7),
        MissedDeadline(second, 4, "IN_PROGRESS", 7),
    ]


def test_updates_in_time_keep_the_petition_on_time() -> None:
    update = T0 + timedelta(days=20)
    history = [
        *_assigned(),
        _event(Action.ACKNOWLEDGE, PetitionStatus.IN_PROGRESS, T0 + timedelta(days=1)),
        _event(Action.PROGRESS_UPDATE, PetitionStatus.IN_PROGRESS, update),
        _event(Action.ANSWER, PetitionStatus.ANSWERED, deadline_after(update, DAYS)),
    ]
    assert missed_deadlines(history, LATER, CLOCK) == []


def test_actions_that_keep_the_clock_do_not_stop_it() -> None:
    history = [
        *_assigned(),
        _event(Action.ACKNOWLEDGE, PetitionStatus.IN_PROGRESS, T0 + timedelta(days=1)),
        _event(Action.REQUEST_TRANSFER, PetitionStatus.TRANSFER_REQUESTED, T0 + timedelta(days=2)),
        _event(Action.URGE, PetitionStatus.TRANSFER_REQUESTED, FIRST + timedelta(days=1)),
    ]
    assert missed_deadlines(history, LATER, CLOCK) == [
        MissedDeadline(FIRST, 4, "TRANSFER_REQUESTED", 7)
    ]


def test_a_transfer_moves_the_clock_and_the_agency() -> None:
    moved = FIRST + timedelta(days=1)
    history = [
        *_assigned(),
        _event(Action.REQUEST_TRANSFER, PetitionStatus.TRANSFER_REQUESTED, T0 + timedelta(days=1)),
        _event(Action.TRANSFER, PetitionStatus.ASSIGNED, moved, 9),
    ]
    assert missed_deadlines(history, LATER, CLOCK) == [
        MissedDeadline(FIRST, 3, "TRANSFER_REQUESTED", 7),
        MissedDeadline(deadline_after(moved, DAYS), 4, "ASSIGNED", 9),
    ]


def test_a_clock_restarted_the_same_day_keeps_its_deadline_and_gets_one_overdue() -> None:
    history = [
        *_assigned(),
        _event(Action.TRANSFER, PetitionStatus.ASSIGNED, T0 + timedelta(hours=3), 9),
    ]
    assert missed_deadlines(history, LATER, CLOCK) == [MissedDeadline(FIRST, 3, "ASSIGNED", 9)]


def test_an_overdue_already_written_is_not_owed_again() -> None:
    history = [*_assigned(), _event(Action.OVERDUE, PetitionStatus.ASSIGNED, FIRST)]
    assert missed_deadlines(history, LATER, CLOCK) == []


def test_a_follow_up_reopens_the_clock_after_an_answer() -> None:
    answered = T0 + timedelta(days=10)
    follow_up = answered + timedelta(days=4)
    history = [
        *_assigned(),
        _event(Action.ACKNOWLEDGE, PetitionStatus.IN_PROGRESS, T0 + timedelta(days=1)),
        _event(Action.ANSWER, PetitionStatus.ANSWERED, answered),
        _event(Action.FOLLOW_UP, PetitionStatus.IN_PROGRESS, follow_up),
    ]
    assert missed_deadlines(history, LATER, CLOCK) == [
        MissedDeadline(deadline_after(follow_up, DAYS), 5, "IN_PROGRESS", 7)
    ]


def test_rejected_and_waiting_petitions_have_no_clock() -> None:
    submitted = [_event(Action.SUBMIT, PetitionStatus.SUBMITTED, T0)]
    rejected = [*submitted, _event(Action.REJECT, PetitionStatus.REJECTED, T0)]
    assert missed_deadlines(submitted, LATER, CLOCK) == []
    assert missed_deadlines(rejected, LATER, CLOCK) == []


def test_epoch_seconds_work_as_well() -> None:
    history = [HistoryEvent("ASSIGN", "ASSIGNED", 100, 1), HistoryEvent("ANSWER", "ANSWERED", 150)]
    assert missed_deadlines(history, 1_000, lambda at: at + 40) == [
        MissedDeadline(140, 1, "ASSIGNED", 1)
    ]


def test_the_system_urges_after_the_working_days_overdue_and_once() -> None:
    # FIRST is the end of Monday 30 March 2026; 3 working days later is Thursday 2 April
    assert not auto_urge_is_due(FIRST, FIRST + timedelta(days=2), 3, urged_since=False)
    assert auto_urge_is_due(FIRST, FIRST + timedelta(days=3), 3, urged_since=False)
    assert not auto_urge_is_due(FIRST, FIRST + timedelta(days=3), 3, urged_since=True)
    assert not auto_urge_is_due(FIRST, LATER, 0, urged_since=False), "0: off"
    assert not auto_urge_is_due(None, LATER, 3, urged_since=False)
