"""The petition state machine, checked over every (status, action, role) triple."""

from __future__ import annotations

import itertools

import pytest

from app.domain.vocabulary import OPEN_STATUSES, Action, ActorRole, PetitionStatus
from app.domain.workflow import (
    DEFAULT_FOLLOW_UP_THRESHOLD,
    Actor,
    Refusal,
    after_follow_up,
    allowed_actions,
    decide,
)

OWN_AGENCY = 1
OTHER_AGENCY = 2

PETITIONER = Actor(ActorRole.PETITIONER)
COORDINATOR = Actor(ActorRole.COORDINATOR)
OFFICER = Actor(ActorRole.AGENCY_OFFICER, OWN_AGENCY)
OTHER_OFFICER = Actor(ActorRole.AGENCY_OFFICER, OTHER_AGENCY)
ADMIN = Actor(ActorRole.ADMIN)
SYSTEM = Actor(ActorRole.SYSTEM)

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
    (PetitionStatus.SUBMITTED, Action.ASSIGN, ActorRole.COORDINATOR): PetitionStatus.ASSIGNED,
    (PetitionStatus.SUBMITTED, Action.REJECT, ActorRole.COORDINATOR): PetitionStatus.REJECTED,
    (
        PetitionStatus.ASSIGNED,
        Action.ACKNOWLEDGE,
        ActorRole.AGENCY_OFFICER,
    ): PetitionStatus.IN_PROGRESS,
    (
        PetitionStatus.ASSIGNED,
        Action.REQUEST_TRANSFER,
        ActorRole.AGENCY_OFFICER,
    ): PetitionStatus.TRANSFER_REQUESTED,
    (
        PetitionStatus.IN_PROGRESS,
        Action.REQUEST_TRANSFER,
        ActorRole.AGENCY_OFFICER,
    ): PetitionStatus.TRANSFER_REQUESTED,
    (
        PetitionStatus.TRANSFER_REQUESTED,
        Action.TRANSFER,
        ActorRole.COORDINATOR,
    ): PetitionStatus.ASSIGNED,
    (PetitionStatus.ASSIGNED, Action.TRANSFER, ActorRole.COORDINATOR): PetitionStatus.ASSIGNED,
    (PetitionStatus.IN_PROGRESS, Action.TRANSFER, ActorRole.COORDINATOR): PetitionStatus.ASSIGNED,
    (PetitionStatus.ESCALATED, Action.TRANSFER, ActorRole.COORDINATOR): PetitionStatus.ASSIGNED,
    (
        PetitionStatus.IN_PROGRESS,
        Action.PROGRESS_UPDATE,
        ActorRole.AGENCY_OFFICER,
    ): PetitionStatus.IN_PROGRESS,
    (
        PetitionStatus.ESCALATED,
        Action.PROGRESS_UPDATE,
        ActorRole.COORDINATOR,
    ): PetitionStatus.ESCALATED,
    (PetitionStatus.IN_PROGRESS, Action.ANSWER, ActorRole.AGENCY_OFFICER): PetitionStatus.ANSWERED,
    (PetitionStatus.ESCALATED, Action.ANSWER, ActorRole.COORDINATOR): PetitionStatus.ANSWERED,
    (PetitionStatus.ANSWERED, Action.RATE, ActorRole.PETITIONER): PetitionStatus.CLOSED,
    (PetitionStatus.ANSWERED, Action.FOLLOW_UP, ActorRole.PETITIONER): PetitionStatus.IN_PROGRESS,
    (PetitionStatus.ASSIGNED, Action.ESCALATE, ActorRole.COORDINATOR): PetitionStatus.ESCALATED,
    (PetitionStatus.IN_PROGRESS, Action.ESCALATE, ActorRole.COORDINATOR): PetitionStatus.ESCALATED,
    (
        PetitionStatus.TRANSFER_REQUESTED,
        Action.ESCALATE,
        ActorRole.COORDINATOR,
    ): PetitionStatus.ESCALATED,
    (PetitionStatus.ANSWERED, Action.ESCALATE, ActorRole.COORDINATOR): PetitionStatus.ESCALATED,
    (PetitionStatus.IN_PROGRESS, Action.ESCALATE, ActorRole.SYSTEM): PetitionStatus.ESCALATED,
    # the Government Office features a useful petition in any status but REJECTED; the
    # status stays
    **{
        (s, Action.FEATURE, ActorRole.COORDINATOR): s
        for s in PetitionStatus
        if s is not PetitionStatus.REJECTED
    },
    # the Government Office (or, automatically, SYSTEM) urges the agency holding the
    # petition; the status stays
    **{
        (s, Action.URGE, role): s
        for s in (
            PetitionStatus.ASSIGNED,
            PetitionStatus.IN_PROGRESS,
            PetitionStatus.TRANSFER_REQUESTED,
        )
        for role in (ActorRole.COORDINATOR, ActorRole.SYSTEM)
    },
    # only SYSTEM writes that a deadline passed, in the statuses where the clock runs
    **{
        (s, Action.OVERDUE, ActorRole.SYSTEM): s
        for s in (
            PetitionStatus.ASSIGNED,
            PetitionStatus.IN_PROGRESS,
            PetitionStatus.TRANSFER_REQUESTED,
            PetitionStatus.ESCALATED,
        )
    },
}


def _expected(status: PetitionStatus, action: Action, actor: Actor) -> PetitionStatus | str:
    """The resulting status, or the refusal code, the specification calls for."""
    if actor.role == ActorRole.ADMIN:
        return "FORBIDDEN_ROLE"
    if action == Action.SUBMIT:
        return "INVALID_TRANSITION"
    if not any(a == action and r == actor.role for (_, a, r) in ALLOWED):
        return "FORBIDDEN_ROLE"
    if actor.role == ActorRole.AGENCY_OFFICER and actor.agency_id != OWN_AGENCY:
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
        actor = Actor(role, OWN_AGENCY if role == ActorRole.AGENCY_OFFICER else None)
        assert decide(status, action, actor, OWN_AGENCY) == target


@pytest.mark.parametrize(
    ("status", "action", "actor", "agency", "code"),
    [
        (PetitionStatus.SUBMITTED, Action.ACKNOWLEDGE, COORDINATOR, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (PetitionStatus.IN_PROGRESS, Action.ANSWER, SYSTEM, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (PetitionStatus.ANSWERED, Action.RATE, COORDINATOR, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (PetitionStatus.SUBMITTED, Action.ASSIGN, OFFICER, OWN_AGENCY, "FORBIDDEN_ROLE"),
        (PetitionStatus.SUBMITTED, Action.ASSIGN, ADMIN, None, "FORBIDDEN_ROLE"),
        (PetitionStatus.SUBMITTED, Action.SUBMIT, ADMIN, None, "FORBIDDEN_ROLE"),
        (PetitionStatus.SUBMITTED, Action.SUBMIT, PETITIONER, None, "INVALID_TRANSITION"),
        # the agency check comes before the status check, even on a closed petition
        (PetitionStatus.CLOSED, Action.ANSWER, OTHER_OFFICER, OWN_AGENCY, "WRONG_AGENCY"),
        (PetitionStatus.CLOSED, Action.ANSWER, OFFICER, OWN_AGENCY, "INVALID_TRANSITION"),
        (PetitionStatus.SUBMITTED, Action.ACKNOWLEDGE, OFFICER, None, "WRONG_AGENCY"),
        (
            PetitionStatus.ASSIGNED,
            Action.ACKNOWLEDGE,
            Actor(ActorRole.AGENCY_OFFICER),
            OWN_AGENCY,
            "WRONG_AGENCY",
        ),
        (
            PetitionStatus.ASSIGNED,
            Action.ACKNOWLEDGE,
            Actor(ActorRole.AGENCY_OFFICER),
            None,
            "WRONG_AGENCY",
        ),
        # a role that may take the action somewhere, but not in this status
        (
            PetitionStatus.IN_PROGRESS,
            Action.PROGRESS_UPDATE,
            COORDINATOR,
            OWN_AGENCY,
            "INVALID_TRANSITION",
        ),
        (PetitionStatus.ESCALATED, Action.ANSWER, OFFICER, OWN_AGENCY, "INVALID_TRANSITION"),
        (PetitionStatus.ASSIGNED, Action.ESCALATE, SYSTEM, OWN_AGENCY, "INVALID_TRANSITION"),
        (PetitionStatus.REJECTED, Action.ASSIGN, COORDINATOR, None, "INVALID_TRANSITION"),
        (PetitionStatus.CLOSED, Action.FOLLOW_UP, PETITIONER, OWN_AGENCY, "INVALID_TRANSITION"),
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


def _step(
    status: PetitionStatus, action: Action, actor: Actor, agency: int | None
) -> PetitionStatus:
    outcome = decide(status, action, actor, agency)
    assert isinstance(outcome, PetitionStatus), outcome
    return outcome


def test_happy_path() -> None:
    status = PetitionStatus.SUBMITTED
    status = _step(status, Action.ASSIGN, COORDINATOR, None)
    assert status == PetitionStatus.ASSIGNED
    status = _step(status, Action.ACKNOWLEDGE, OFFICER, OWN_AGENCY)
    assert status == PetitionStatus.IN_PROGRESS
    status = _step(status, Action.PROGRESS_UPDATE, OFFICER, OWN_AGENCY)
    assert status == PetitionStatus.IN_PROGRESS
    status = _step(status, Action.ANSWER, OFFICER, OWN_AGENCY)
    assert status == PetitionStatus.ANSWERED
    status = _step(status, Action.RATE, PETITIONER, OWN_AGENCY)
    assert status == PetitionStatus.CLOSED
    for who, actor in ACTORS.items():
        # a closed petition can still be featured as useful, and nothing else
        expected = [Action.FEATURE] if who == "coordinator" else []
        assert allowed_actions(status, actor, OWN_AGENCY) == expected


def test_rejection_is_final() -> None:
    status = _step(PetitionStatus.SUBMITTED, Action.REJECT, COORDINATOR, None)
    assert status == PetitionStatus.REJECTED
    for actor in ACTORS.values():
        assert allowed_actions(status, actor, None) == []


def test_transfer_path() -> None:
    status = _step(PetitionStatus.SUBMITTED, Action.ASSIGN, COORDINATOR, None)
    agency = OWN_AGENCY
    status = _step(status, Action.REQUEST_TRANSFER, OFFICER, agency)
    assert status == PetitionStatus.TRANSFER_REQUESTED
    refused = decide(status, Action.ACKNOWLEDGE, OFFICER, agency)
    assert isinstance(refused, Refusal) and refused.code == "INVALID_TRANSITION"

    status = _step(status, Action.TRANSFER, COORDINATOR, agency)
    agency = OTHER_AGENCY
    assert status == PetitionStatus.ASSIGNED
    refused = decide(status, Action.ACKNOWLEDGE, OFFICER, agency)
    assert isinstance(refused, Refusal) and refused.code == "WRONG_AGENCY"
    status = _step(status, Action.ACKNOWLEDGE, OTHER_OFFICER, agency)
    assert status == PetitionStatus.IN_PROGRESS

    # an agency that has started may still ask for a transfer; the coordinator may
    # also move a petition on its own initiative
    status = _step(status, Action.REQUEST_TRANSFER, OTHER_OFFICER, agency)
    assert status == PetitionStatus.TRANSFER_REQUESTED
    assert (
        _step(PetitionStatus.IN_PROGRESS, Action.TRANSFER, COORDINATOR, agency)
        == PetitionStatus.ASSIGNED
    )


def test_escalation_path() -> None:
    status = _step(PetitionStatus.IN_PROGRESS, Action.ESCALATE, COORDINATOR, OWN_AGENCY)
    assert status == PetitionStatus.ESCALATED
    # once escalated, the Government Office speaks, not the agency
    refused = decide(status, Action.ANSWER, OFFICER, OWN_AGENCY)
    assert isinstance(refused, Refusal) and refused.code == "INVALID_TRANSITION"
    assert allowed_actions(status, OFFICER, OWN_AGENCY) == []
    assert allowed_actions(status, COORDINATOR, OWN_AGENCY) == [
        Action.TRANSFER,
        Action.PROGRESS_UPDATE,
        Action.ANSWER,
        Action.FEATURE,
    ]
    status = _step(status, Action.PROGRESS_UPDATE, COORDINATOR, OWN_AGENCY)
    assert status == PetitionStatus.ESCALATED
    status = _step(status, Action.ANSWER, COORDINATOR, OWN_AGENCY)
    assert status == PetitionStatus.ANSWERED
    assert _step(status, Action.RATE, PETITIONER, OWN_AGENCY) == PetitionStatus.CLOSED


def test_follow_ups_escalate_automatically_at_the_threshold() -> None:
    status = PetitionStatus.ANSWERED
    follow_ups = 0

    status = _step(status, Action.FOLLOW_UP, PETITIONER, OWN_AGENCY)
    follow_ups += 1
    assert status == PetitionStatus.IN_PROGRESS
    assert not after_follow_up(follow_ups, DEFAULT_FOLLOW_UP_THRESHOLD)

    status = _step(status, Action.ANSWER, OFFICER, OWN_AGENCY)
    status = _step(status, Action.FOLLOW_UP, PETITIONER, OWN_AGENCY)
    follow_ups += 1
    assert status == PetitionStatus.IN_PROGRESS
    assert after_follow_up(follow_ups, DEFAULT_FOLLOW_UP_THRESHOLD)
    assert _step(status, Action.ESCALATE, SYSTEM, OWN_AGENCY) == PetitionStatus.ESCALATED


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
    assert allowed_actions(PetitionStatus.SUBMITTED, COORDINATOR, None) == [
        Action.ASSIGN,
        Action.REJECT,
        Action.FEATURE,
    ]
    assert allowed_actions(PetitionStatus.ASSIGNED, OFFICER, OWN_AGENCY) == [
        Action.ACKNOWLEDGE,
        Action.REQUEST_TRANSFER,
    ]
    assert allowed_actions(PetitionStatus.ASSIGNED, OTHER_OFFICER, OWN_AGENCY) == []
    assert allowed_actions(PetitionStatus.IN_PROGRESS, SYSTEM, OWN_AGENCY) == [
        Action.ESCALATE,
        Action.URGE,
        Action.OVERDUE,
    ]
    assert allowed_actions(PetitionStatus.IN_PROGRESS, COORDINATOR, OWN_AGENCY) == [
        Action.TRANSFER,
        Action.ESCALATE,
        Action.FEATURE,
        Action.URGE,
    ]
    assert allowed_actions(PetitionStatus.ANSWERED, PETITIONER, OWN_AGENCY) == [
        Action.RATE,
        Action.FOLLOW_UP,
    ]
    assert allowed_actions(PetitionStatus.IN_PROGRESS, ADMIN, OWN_AGENCY) == []


@pytest.mark.parametrize("status", list(PetitionStatus))
def test_feature_keeps_the_status_and_is_for_the_coordinator(status: PetitionStatus) -> None:
    outcome = decide(status, Action.FEATURE, COORDINATOR, OWN_AGENCY)
    if status is PetitionStatus.REJECTED:
        assert isinstance(outcome, Refusal) and outcome.code == "INVALID_TRANSITION"
    else:
        assert outcome == status
    for actor in (PETITIONER, OFFICER, SYSTEM, ADMIN):
        refused = decide(status, Action.FEATURE, actor, OWN_AGENCY)
        assert isinstance(refused, Refusal) and refused.code == "FORBIDDEN_ROLE"


@pytest.mark.parametrize("status", list(PetitionStatus))
def test_urge_keeps_the_status_and_is_for_the_coordinator_and_system(
    status: PetitionStatus,
) -> None:
    for actor in (COORDINATOR, SYSTEM):
        outcome = decide(status, Action.URGE, actor, OWN_AGENCY)
        if status in (
            PetitionStatus.ASSIGNED,
            PetitionStatus.IN_PROGRESS,
            PetitionStatus.TRANSFER_REQUESTED,
        ):
            assert outcome == status
        else:
            # SUBMITTED (no agency yet), ESCALATED (the Government Office's own), ANSWERED,
            # REJECTED, CLOSED: nobody to urge
            assert isinstance(outcome, Refusal) and outcome.code == "INVALID_TRANSITION"
    for actor in (PETITIONER, OFFICER, OTHER_OFFICER, ADMIN):
        refused = decide(status, Action.URGE, actor, OWN_AGENCY)
        assert isinstance(refused, Refusal) and refused.code == "FORBIDDEN_ROLE"


@pytest.mark.parametrize("status", list(PetitionStatus))
def test_overdue_is_written_by_system_alone_in_the_open_statuses(status: PetitionStatus) -> None:
    outcome = decide(status, Action.OVERDUE, SYSTEM, OWN_AGENCY)
    if status in OPEN_STATUSES:
        assert outcome == status
    else:
        assert isinstance(outcome, Refusal) and outcome.code == "INVALID_TRANSITION"
    for actor in (PETITIONER, COORDINATOR, OFFICER, ADMIN):
        refused = decide(status, Action.OVERDUE, actor, OWN_AGENCY)
        assert isinstance(refused, Refusal) and refused.code == "FORBIDDEN_ROLE"
