"""The petition state machine, checked over every (status, action, role) triple."""

from __future__ import annotations

import itertools

import pytest

from app.domain.vocabulary import Action, ActorRole, PetitionStatus
from app.domain.workflow import (
    DEFAULT_FOLLOW_UP_THRESHOLD,
    Actor,
    Refusal,
    after_follow_up,
    allowed_actions,
    decide,
)

S = PetitionStatus
A = Action
R = ActorRole

OWN_AGENCY = 1
OTHER_AGENCY = 2

PETITIONER = Actor(R.PETITIONER)
COORDINATOR = Actor(R.COORDINATOR)
OFFICER = Actor(R.AGENCY_OFFICER, OWN_AGENCY)
OTHER_OFFICER = Actor(R.AGENCY_OFFICER, OTHER_AGENCY)
ADMIN = Actor(R.ADMIN)
SYSTEM = Actor(R.SYSTEM)

ACTORS = {
    "petitioner": PETITIONER,
    "coordinator": COORDINATOR,
    "own_officer": OFFICER,
    "other_officer": OTHER_OFFICER,
    "admin": ADMIN,
    "system": SYSTEM,
}

# The specification, written out independently of app.domain.workflow's own table.
# (status, action, role) -> resulting status
ALLOWED: dict[tuple[PetitionStatus, Action, ActorRole], PetitionStatus] = {
    (S.SUBMITTED, A.ASSIGN, R.COORDINATOR): S.ASSIGNED,
    (S.SUBMITTED, A.REJECT, R.COORDINATOR): S.REJECTED,
    (S.ASSIGNED, A.ACKNOWLEDGE, R.AGENCY_OFFICER): S.IN_PROGRESS,
    (S.ASSIGNED, A.REQUEST_TRANSFER, R.AGENCY_OFFICER): S.TRANSFER_REQUESTED,
    (S.IN_PROGRESS, A.REQUEST_TRANSFER, R.AGENCY_OFFICER): S.TRANSFER_REQUESTED,
    (S.TRANSFER_REQUESTED, A.TRANSFER, R.COORDINATOR): S.ASSIGNED,
    (S.ASSIGNED, A.TRANSFER, R.COORDINATOR): S.ASSIGNED,
    (S.IN_PROGRESS, A.TRANSFER, R.COORDINATOR): S.ASSIGNED,
    (S.ESCALATED, A.TRANSFER, R.COORDINATOR): S.ASSIGNED,
    (S.IN_PROGRESS, A.PROGRESS_UPDATE, R.AGENCY_OFFICER): S.IN_PROGRESS,
    (S.ESCALATED, A.PROGRESS_UPDATE, R.COORDINATOR): S.ESCALATED,
    (S.IN_PROGRESS, A.ANSWER, R.AGENCY_OFFICER): S.ANSWERED,
    (S.ESCALATED, A.ANSWER, R.COORDINATOR): S.ANSWERED,
    (S.ANSWERED, A.RATE, R.PETITIONER): S.CLOSED,
    (S.ANSWERED, A.FOLLOW_UP, R.PETITIONER): S.IN_PROGRESS,
    (S.ASSIGNED, A.ESCALATE, R.COORDINATOR): S.ESCALATED,
    (S.IN_PROGRESS, A.ESCALATE, R.COORDINATOR): S.ESCALATED,
    (S.TRANSFER_REQUESTED, A.ESCALATE, R.COORDINATOR): S.ESCALATED,
    (S.ANSWERED, A.ESCALATE, R.COORDINATOR): S.ESCALATED,
    (S.IN_PROGRESS, A.ESCALATE, R.SYSTEM): S.ESCALATED,
    # the Government Office features a useful petition in any status but REJECTED; the
    # status stays
    **{(s, A.FEATURE, R.COORDINATOR): s for s in S if s is not S.REJECTED},
}


def _expected(status: PetitionStatus, action: Action, actor: Actor) -> PetitionStatus | str:
    """The resulting status, or the refusal code, the specification calls for."""
    if actor.role == R.ADMIN:
        return "FORBIDDEN_ROLE"
    if action == A.SUBMIT:
        return "INVALID_TRANSITION"
    if not any(a == action and r == actor.role for (_, a, r) in ALLOWED):
        return "FORBIDDEN_ROLE"
    if actor.role == R.AGENCY_OFFICER and actor.agency_id != OWN_AGENCY:
        return "WRONG_AGENCY"
    return ALLOWED.get((status, action, actor.role), "INVALID_TRANSITION")


@pytest.mark.parametrize(
    ("status", "action", "who"),
    list(itertools.product(PetitionStatus, Action, ACTORS)),
)
def test_every_status_action_and_role(status: PetitionStatus, action: Action, who: str) -> None:
    actor = ACTORS[who]
    outcome = decide(status, action, actor, OWN_AGENCY)
    expected = _expected(status, action, actor)
    if isinstance(expected, PetitionStatus):
        assert outcome == expected
    else:
        assert isinstance(outcome, Refusal)
        assert outcome.code == expected
        for name in (status, action, actor.role):
            assert name in outcome.message


def test_every_specified_transition_is_accepted() -> None:
    for (status, action, role), target in ALLOWED.items():
        actor = Actor(role, OWN_AGENCY if role == R.AGENCY_OFFICER else None)
        assert decide(status, action, actor, OWN_AGENCY) == target


@pytest.mark.parametrize(
    ("status", "action", "actor", "agency", "code"),
    [
        (S.SUBMITTED, A.ACKNOWLEDGE, COORDINATOR, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (S.IN_PROGRESS, A.ANSWER, SYSTEM, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (S.ANSWERED, A.RATE, COORDINATOR, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (S.SUBMITTED, A.ASSIGN, OFFICER, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (S.SUBMITTED, A.ASSIGN, ADMIN, None, "FORBIDDEN_ROLE"),
        (S.SUBMITTED, A.SUBMIT, ADMIN, None, "FORBIDDEN_ROLE"),
        (S.SUBMITTED, A.SUBMIT, PETITIONER, None, "INVALID_TRANSITION"),
        # the agency check comes before the status check, even on a closed petition
        (S.CLOSED, A.ANSWER, OTHER_OFFICER, OWN_AGENCY, "WRONG_AGENCY"),
        (S.CLOSED, A.ANSWER, OFFICER, OWN_AGENCY, "INVALID_TRANSITION"),
        (S.SUBMITTED, A.ACKNOWLEDGE, OFFICER, None, "WRONG_AGENCY"),
        (S.ASSIGNED, A.ACKNOWLEDGE, Actor(R.AGENCY_OFFICER), OWN_AGENCY, "WRONG_AGENCY"),
        (S.ASSIGNED, A.ACKNOWLEDGE, Actor(R.AGENCY_OFFICER), None, "WRONG_AGENCY"),
        # a role that may take the action somewhere, but not in this status
        (S.IN_PROGRESS, A.PROGRESS_UPDATE, COORDINATOR, OWN_AGENCY, "INVALID_TRANSITION"),
        (S.ESCALATED, A.ANSWER, OFFICER, OWN_AGENCY, "INVALID_TRANSITION"),
        (S.ASSIGNED, A.ESCALATE, SYSTEM, OWN_AGENCY, "INVALID_TRANSITION"),
        (S.REJECTED, A.ASSIGN, COORDINATOR, None, "INVALID_TRANSITION"),
        (S.CLOSED, A.FOLLOW_UP, PETITIONER, OWN_AGENCY, "INVALID_TRANSITION"),
    ],
)
def test_refusal_precedence(
    status: PetitionStatus, action: Action, actor: Actor, agency: int | None, code: str
) -> None:
    outcome = decide(status, action, actor, agency)
    assert isinstance(outcome, Refusal)
    assert outcome.code == code
    assert status in outcome.message
    assert action in outcome.message
    assert actor.role in outcome.message


def _step(status: PetitionStatus, action: Action, actor: Actor, agency: int | None) -> S:
    outcome = decide(status, action, actor, agency)
    assert isinstance(outcome, PetitionStatus), outcome
    return outcome


def test_happy_path() -> None:
    status = S.SUBMITTED
    status = _step(status, A.ASSIGN, COORDINATOR, None)
    assert status == S.ASSIGNED
    status = _step(status, A.ACKNOWLEDGE, OFFICER, OWN_AGENCY)
    assert status == S.IN_PROGRESS
    status = _step(status, A.PROGRESS_UPDATE, OFFICER, OWN_AGENCY)
    assert status == S.IN_PROGRESS
    status = _step(status, A.ANSWER, OFFICER, OWN_AGENCY)
    assert status == S.ANSWERED
    status = _step(status, A.RATE, PETITIONER, OWN_AGENCY)
    assert status == S.CLOSED
    for who, actor in ACTORS.items():
        # a closed petition can still be featured as useful, and nothing else
        expected = [A.FEATURE] if who == "coordinator" else []
        assert allowed_actions(status, actor, OWN_AGENCY) == expected


def test_rejection_is_final() -> None:
    status = _step(S.SUBMITTED, A.REJECT, COORDINATOR, None)
    assert status == S.REJECTED
    for actor in ACTORS.values():
        assert allowed_actions(status, actor, None) == []


def test_transfer_path() -> None:
    status = _step(S.SUBMITTED, A.ASSIGN, COORDINATOR, None)
    agency = OWN_AGENCY
    status = _step(status, A.REQUEST_TRANSFER, OFFICER, agency)
    assert status == S.TRANSFER_REQUESTED
    refused = decide(status, A.ACKNOWLEDGE, OFFICER, agency)
    assert isinstance(refused, Refusal) and refused.code == "INVALID_TRANSITION"

    status = _step(status, A.TRANSFER, COORDINATOR, agency)
    agency = OTHER_AGENCY
    assert status == S.ASSIGNED
    refused = decide(status, A.ACKNOWLEDGE, OFFICER, agency)
    assert isinstance(refused, Refusal) and refused.code == "WRONG_AGENCY"
    status = _step(status, A.ACKNOWLEDGE, OTHER_OFFICER, agency)
    assert status == S.IN_PROGRESS

    # an agency that has started may still ask for a transfer; the coordinator may
    # also move a petition on its own initiative
    status = _step(status, A.REQUEST_TRANSFER, OTHER_OFFICER, agency)
    assert status == S.TRANSFER_REQUESTED
    assert _step(S.IN_PROGRESS, A.TRANSFER, COORDINATOR, agency) == S.ASSIGNED


def test_escalation_path() -> None:
    status = _step(S.IN_PROGRESS, A.ESCALATE, COORDINATOR, OWN_AGENCY)
    assert status == S.ESCALATED
    # once escalated, the Government Office speaks, not the agency
    refused = decide(status, A.ANSWER, OFFICER, OWN_AGENCY)
    assert isinstance(refused, Refusal) and refused.code == "INVALID_TRANSITION"
    assert allowed_actions(status, OFFICER, OWN_AGENCY) == []
    assert allowed_actions(status, COORDINATOR, OWN_AGENCY) == [
        A.TRANSFER,
        A.PROGRESS_UPDATE,
        A.ANSWER,
        A.FEATURE,
    ]
    status = _step(status, A.PROGRESS_UPDATE, COORDINATOR, OWN_AGENCY)
    assert status == S.ESCALATED
    status = _step(status, A.ANSWER, COORDINATOR, OWN_AGENCY)
    assert status == S.ANSWERED
    assert _step(status, A.RATE, PETITIONER, OWN_AGENCY) == S.CLOSED


def test_follow_ups_escalate_automatically_at_the_threshold() -> None:
    status = S.ANSWERED
    follow_ups = 0

    status = _step(status, A.FOLLOW_UP, PETITIONER, OWN_AGENCY)
    follow_ups += 1
    assert status == S.IN_PROGRESS
    assert not after_follow_up(follow_ups, DEFAULT_FOLLOW_UP_THRESHOLD)

    status = _step(status, A.ANSWER, OFFICER, OWN_AGENCY)
    status = _step(status, A.FOLLOW_UP, PETITIONER, OWN_AGENCY)
    follow_ups += 1
    assert status == S.IN_PROGRESS
    assert after_follow_up(follow_ups, DEFAULT_FOLLOW_UP_THRESHOLD)
    assert _step(status, A.ESCALATE, SYSTEM, OWN_AGENCY) == S.ESCALATED


@pytest.mark.parametrize(
    ("count", "threshold", "escalate"),
    [(0, 2, False), (1, 2, False), (2, 2, True), (3, 2, True), (1, 1, True), (2, 3, False)],
)
def test_after_follow_up_threshold(count: int, threshold: int, escalate: bool) -> None:
    assert after_follow_up(count, threshold) is escalate


def test_after_follow_up_default_threshold_is_two() -> None:
    assert DEFAULT_FOLLOW_UP_THRESHOLD == 2
    assert not after_follow_up(1)
    assert after_follow_up(2)


def test_after_follow_up_rejects_a_meaningless_threshold() -> None:
    with pytest.raises(ValueError):
        after_follow_up(1, 0)


@pytest.mark.parametrize(("status", "who"), list(itertools.product(PetitionStatus, ACTORS)))
def test_allowed_actions_agree_with_decide(status: PetitionStatus, who: str) -> None:
    actor = ACTORS[who]
    allowed = allowed_actions(status, actor, OWN_AGENCY)
    accepted = [
        action
        for action in Action
        if isinstance(decide(status, action, actor, OWN_AGENCY), PetitionStatus)
    ]
    assert allowed == accepted
    assert allowed == [
        a for a in Action if (status, a, actor.role) in ALLOWED and who != "other_officer"
    ]


def test_allowed_actions_examples() -> None:
    assert allowed_actions(S.SUBMITTED, COORDINATOR, None) == [A.ASSIGN, A.REJECT, A.FEATURE]
    assert allowed_actions(S.ASSIGNED, OFFICER, OWN_AGENCY) == [A.ACKNOWLEDGE, A.REQUEST_TRANSFER]
    assert allowed_actions(S.ASSIGNED, OTHER_OFFICER, OWN_AGENCY) == []
    assert allowed_actions(S.IN_PROGRESS, SYSTEM, OWN_AGENCY) == [A.ESCALATE]
    assert allowed_actions(S.ANSWERED, PETITIONER, OWN_AGENCY) == [A.RATE, A.FOLLOW_UP]
    assert allowed_actions(S.IN_PROGRESS, ADMIN, OWN_AGENCY) == []


@pytest.mark.parametrize("status", list(PetitionStatus))
def test_feature_keeps_the_status_and_is_for_the_coordinator(status: PetitionStatus) -> None:
    outcome = decide(status, A.FEATURE, COORDINATOR, OWN_AGENCY)
    if status is S.REJECTED:
        assert isinstance(outcome, Refusal) and outcome.code == "INVALID_TRANSITION"
    else:
        assert outcome == status
    for actor in (PETITIONER, OFFICER, SYSTEM, ADMIN):
        refused = decide(status, A.FEATURE, actor, OWN_AGENCY)
        assert isinstance(refused, Refusal) and refused.code == "FORBIDDEN_ROLE"
