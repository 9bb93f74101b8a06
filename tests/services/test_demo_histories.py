"""The demo loader, its histories: every status, channel, kind and subject in a realistic
mix; histories that follow the workflow and agree with the petitions' facts; answers
sealed with the agency's key; events chained like the event log; and times on working
days, in office hours, before now.

The tests read the package's SQLite body of demo petitions (tests/services/conftest.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.overdue import HistoryEvent, missed_deadlines, overdue_note, working_days_clock
from app.domain.reference import GOVERNMENT_OFFICE_CODE, province_codes
from app.domain.signing import verify_answer
from app.domain.timezone import VN_TZ
from app.domain.urging import working_day_of
from app.domain.vocabulary import OPEN_STATUSES, Action, ActorRole, PetitionStatus, tracking_code
from app.domain.workflow import TRANSITIONS, VERSIONLESS_ACTIONS
from app.domain.working_days import deadline_after, elapsed_working_days, is_working_day, local_date
from db.engine import session_factory
from db.event_log import verify
from tests.support.demo_rows import NOW, PETITIONS


def _by_petition(rows: list[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.petition_id].append(row)
    return grouped


# --- the mix ---------------------------------------------------------------


def test_every_status_channel_kind_and_subject_is_present(data: dict[str, Any]) -> None:
    petitions = data["petitions"]
    statuses = Counter(p.status for p in petitions)
    assert set(statuses) == set(PetitionStatus)
    assert 0.2 < statuses["CLOSED"] / PETITIONS < 0.5
    assert {p.channel for p in petitions} == {"CITIZEN", "BUSINESS"}
    assert {p.kind for p in petitions} == {"REFLECTION", "RECOMMENDATION"}
    assert len({p.subject for p in petitions}) == 5
    assert 0.03 < sum(p.is_private for p in petitions) / PETITIONS < 0.2
    assert 0.1 < sum(p.channel == "BUSINESS" for p in petitions) / PETITIONS < 0.3
    actions = {e.action for e in data["events"]}
    # featuring is the Government Office's own judgement, erasure the petitioner's (or the
    # retention period's, which the demo's two-year span does not reach): the demo does neither
    assert actions <= set(Action) - {Action.FEATURE, Action.CONTACT_ERASED, Action.SECRET_REISSUED}
    assert actions >= set(Action) - {Action.FEATURE, Action.CONTACT_ERASED, Action.SECRET_REISSUED}
    open_petitions = [p for p in petitions if p.status in OPEN_STATUSES]
    overdue = [p for p in open_petitions if p.deadline_at < NOW]
    assert 0 < len(overdue) < len(open_petitions)
    answered = [p for p in petitions if p.answered_at is not None]
    assert 0 < sum(not p.answered_on_time for p in answered) < len(answered) / 2


# --- coherent histories ----------------------------------------------------


def test_histories_follow_the_workflow(data: dict[str, Any]) -> None:
    events = _by_petition(data["events"])
    for petition in data["petitions"]:
        history = events[petition.id]
        assert history[0].action == "SUBMIT" and history[0].from_status is None
        assert history[0].at == petition.submitted_at
        for before, after in pairwise(history):
            assert after.id > before.id and after.at > before.at
            assert after.from_status == before.to_status
            step = TRANSITIONS[(PetitionStatus(after.from_status), Action(after.action))]
            assert step.target == after.to_status
            assert after.actor_role in step.roles
        assert history[-1].to_status == petition.status
        versioned = [e for e in history if Action(e.action) not in VERSIONLESS_ACTIONS]
        assert petition.version == len(versioned)


def test_petition_facts_match_the_history(data: dict[str, Any]) -> None:
    events = _by_petition(data["events"])
    answers = _by_petition(data["answers"])
    assignments = _by_petition(data["assignments"])
    agencies = data["agencies"]
    codes = {p.tracking_code: p for p in data["petitions"]}
    for petition in data["petitions"]:
        history = events[petition.id]
        year = local_date(petition.submitted_at).year
        assert petition.tracking_code == tracking_code(petition.id, year)
        if petition.status in ("SUBMITTED", "REJECTED"):
            assert petition.agency_id is None and petition.deadline_at is None
            assert petition.accepted_at is None and not assignments[petition.id]
        else:
            clock_events = [e for e in history if _starts_clock(e)]
            assert petition.clock_started_at == clock_events[-1].at
            assert petition.deadline_at == deadline_after(petition.clock_started_at, 20)
            assert petition.accepted_at == history[1].at
            petition_assignments = assignments[petition.id]
            assert petition_assignments[-1].ended_at is None
            assert all(a.end_reason == "TRANSFERRED" for a in petition_assignments[:-1])
            assert petition.agency_id == petition_assignments[-1].agency_id
        agency = agencies.get(petition.agency_id)
        if agency is not None and agency.kind == "PROVINCE":
            assert petition.province_code == agency.province_code
        assert petition.province_code is None or petition.province_code in province_codes()
        if petition.rejection_reason == "DUPLICATE":
            assert codes[petition.duplicate_of].id < petition.id
        _check_answers(petition, answers[petition.id], history, agencies)
        _check_rating(petition, data["ratings"].get(petition.id), answers[petition.id])


def _starts_clock(event: Any) -> bool:
    """Acceptance, a transfer, a progress update, a follow-up or an escalation by the
    Government Office (the automatic one follows a follow-up that already did)."""
    if event.action == "ESCALATE":
        return bool(event.actor_role == "COORDINATOR")
    return event.action in {"ASSIGN", "TRANSFER", "PROGRESS_UPDATE", "FOLLOW_UP"}


def _check_answers(
    petition: Any, answers: list[Any], history: list[Any], agencies: dict[int, Any]
) -> None:
    answer_events = [e for e in history if e.action == "ANSWER"]
    assert [a.answered_at for a in answers] == [e.at for e in answer_events]
    for answer, event in zip(answers, answer_events, strict=True):
        assert answer.agency_id == event.agency_id
        if event.from_status == "ESCALATED":
            assert event.actor_role == "COORDINATOR"
            assert agencies[answer.agency_id].code == GOVERNMENT_OFFICE_CODE
    if not answers:
        assert petition.answered_at is None and petition.answered_on_time is None
        return
    first = answers[0].answered_at
    assert petition.answered_at == first
    assert petition.response_working_days == elapsed_working_days(petition.accepted_at, first)
    deadline_then = [e for e in history if _starts_clock(e) and e.at < first][-1].at
    assert petition.answered_on_time == (first <= deadline_after(deadline_then, 20))
    follow_ups = [e for e in history if e.action == "FOLLOW_UP"]
    assert petition.follow_up_count == len(follow_ups)
    if len(follow_ups) >= 2:
        escalation = history[history.index(follow_ups[1]) + 1]
        assert escalation.action == "ESCALATE" and escalation.actor_role == "SYSTEM"
        assert petition.escalation_reason == "REPEATED_COMPLAINT"


def _check_rating(petition: Any, rating: Any, answers: list[Any]) -> None:
    if petition.status != "CLOSED":
        assert rating is None and petition.closed_at is None
        return
    assert rating.answer_id == answers[-1].id and 1 <= rating.score <= 5
    assert rating.rated_at == petition.closed_at


def test_first_escalation_and_rating_score_are_on_the_petition(data: dict[str, Any]) -> None:
    """`escalated_at` is the first ESCALATE event; `rating_score` copies the rating."""
    history = _by_petition(data["events"])
    for petition in data["petitions"]:
        escalations = [e.at for e in history[petition.id] if e.action == "ESCALATE"]
        assert petition.escalated_at == (escalations[0] if escalations else None)
        rating = data["ratings"].get(petition.id)
        assert petition.rating_score == (rating.score if rating else None)
    assert any(p.escalated_at for p in data["petitions"])


def test_urges_are_on_the_petition_and_follow_overdue_deadlines(data: dict[str, Any]) -> None:
    """The Government Office urges open petitions whose deadline passed, after it, at most
    once a working day; `urge_count` and `last_urged_at` copy the URGE events."""
    history = _by_petition(data["events"])
    urged = 0
    for petition in data["petitions"]:
        urges = [e for e in history[petition.id] if e.action == "URGE"]
        assert petition.urge_count == len(urges)
        assert petition.last_urged_at == (urges[-1].at if urges else None)
        for urge in urges:
            assert urge.actor_role == "COORDINATOR" and urge.is_public and urge.note
            assert urge.agency_id == petition.agency_id
            assert petition.deadline_at is not None and urge.at > petition.deadline_at
        days = [working_day_of(u.at) for u in urges]
        assert len(set(days)) == len(days), "at most one urge a working day"
        urged += bool(urges)
    assert 0 < urged < len(data["petitions"]) / 5


def test_overdue_events_are_those_the_clock_would_have_written(data: dict[str, Any]) -> None:
    """One OVERDUE (SYSTEM, public, at the deadline, the status unchanged) per deadline the
    history let pass (`app.domain.overdue`), before the event that came after it;
    `overdue_count` and `overdue_deadline_at` copy them."""
    history = _by_petition(data["events"])
    late_answers = 0
    for petition in data["petitions"]:
        events = history[petition.id]
        others = [e for e in events if e.action != "OVERDUE"]
        walked = [HistoryEvent(e.action, e.to_status, e.at, e.agency_id) for e in others]
        missed = missed_deadlines(walked, NOW, working_days_clock(20))
        overdue = [(i, e) for i, e in enumerate(events) if e.action == "OVERDUE"]
        assert [
            (e.at, e.from_status, e.to_status, e.agency_id, e.actor_role, i - n)
            for n, (i, e) in enumerate(overdue)
        ] == [(m.deadline, m.status, m.status, m.agency_id, "SYSTEM", m.before) for m in missed]
        assert all(e.is_public and e.note == overdue_note(20) for _, e in overdue)
        assert petition.overdue_count == len(missed)
        assert petition.overdue_deadline_at == (missed[-1].deadline if missed else None)
        late_answers += any(
            e.action == "ANSWER" and events[i - 1].action == "OVERDUE" for i, e in enumerate(events)
        )
    overdue_ever = sum(p.overdue_count > 0 for p in data["petitions"])
    assert 0 < overdue_ever < len(data["petitions"]) / 2
    assert late_answers > 0


def test_only_internal_events_are_hidden(data: dict[str, Any]) -> None:
    private = {p.id for p in data["petitions"] if p.is_private}
    for event in data["events"]:
        hidden = event.action == "REQUEST_TRANSFER" or (
            event.action == "FOLLOW_UP" and event.petition_id in private
        )
        assert event.is_public is not hidden
        assert event.actor_role in set(ActorRole)


def test_answers_are_sealed_with_the_agency_key(data: dict[str, Any]) -> None:
    codes = {p.id: p.tracking_code for p in data["petitions"]}
    for answer in data["answers"]:
        key = data["keys"][answer.key_id]
        assert key.agency_id == answer.agency_id and key.retired_at is None
        agency = data["agencies"][answer.agency_id].code
        assert verify_answer(
            key.public_key,
            answer.signature,
            codes[answer.petition_id],
            agency,
            answer.body,
            answer.answered_at,
            version=answer.seal_version,
            digest=answer.body_sha256,
        )
        assert answer.seal_version == 2


async def test_events_are_chained_like_the_event_log(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        count, broken = await verify(session)
    assert broken is None and count > PETITIONS


# --- time ------------------------------------------------------------------


def test_times_fall_on_working_days_in_office_hours_before_now(data: dict[str, Any]) -> None:
    moments = [e.at for e in data["events"] if e.action != "OVERDUE"]
    for event in data["events"]:
        if event.action == "OVERDUE":  # at the deadline: the end of a working day
            local = event.at.astimezone(VN_TZ)
            assert is_working_day(local.date()) and local.time() == time(23, 59, 59)
            assert event.at < NOW
    moments += [a.assigned_at for a in data["assignments"]]
    moments += [a.ended_at for a in data["assignments"] if a.ended_at]
    moments += [r.rated_at for r in data["ratings"].values()]
    for moment in moments:
        local = moment.astimezone(VN_TZ)
        assert is_working_day(local.date()), moment
        assert time(8) <= local.time() <= time(17), moment
        assert moment <= NOW
    submitted = [p.submitted_at for p in data["petitions"]]
    assert submitted == sorted(submitted)
    assert NOW - timedelta(days=731) <= submitted[0] < NOW - timedelta(days=700)
    assert submitted[-1] > NOW - timedelta(days=30)
