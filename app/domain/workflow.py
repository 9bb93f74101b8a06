"""The petition state machine: who may move a petition from which status to which.

This module is the one place these rules live. Resolvers, the demo loader and the CLI ask
`decide` before they change a petition and `allowed_actions` to tell a client what it may do.

The rules are data (`TRANSITIONS`); the only logic is the order in which a refusal is
explained, from the most to the least fundamental reason:

1. FORBIDDEN_ROLE: the role may never perform the action, in any status (an ADMIN, who
   manages tokens only, may perform none).
2. WRONG_AGENCY: an agency officer acts on a petition that is not assigned to their agency.
3. INVALID_TRANSITION: the action is not open to this role in the petition's current status
   (this covers the terminal statuses REJECTED and CLOSED, and SUBMIT, which creates a
   petition rather than moving one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.domain.vocabulary import OPEN_STATUSES, Action, ActorRole, PetitionStatus

FORBIDDEN_ROLE = "FORBIDDEN_ROLE"
WRONG_AGENCY = "WRONG_AGENCY"
INVALID_TRANSITION = "INVALID_TRANSITION"

DEFAULT_FOLLOW_UP_THRESHOLD = 2
"""Follow-ups after which a petition is escalated automatically ("keeps raising it")."""

TERMINAL_STATUSES: frozenset[PetitionStatus] = frozenset(
    {PetitionStatus.REJECTED, PetitionStatus.CLOSED}
)


@dataclass(frozen=True)
class Actor:
    role: ActorRole
    agency_id: int | None = None
    """For an AGENCY_OFFICER: the agency they belong to."""


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class Transition:
    target: PetitionStatus
    roles: frozenset[ActorRole]


_COORDINATOR = frozenset({ActorRole.COORDINATOR})
_OFFICER = frozenset({ActorRole.AGENCY_OFFICER})
_PETITIONER = frozenset({ActorRole.PETITIONER})
_SYSTEM = frozenset({ActorRole.SYSTEM})

URGE_STATUSES: frozenset[PetitionStatus] = frozenset(
    {PetitionStatus.ASSIGNED, PetitionStatus.IN_PROGRESS, PetitionStatus.TRANSFER_REQUESTED}
)
"""Where the Government Office may urge the handling agency: the petition is with an agency
(an ESCALATED one is the Government Office's own to answer, and there is no one to urge)."""

TRANSITIONS: Mapping[tuple[PetitionStatus, Action], Transition] = MappingProxyType(
    {
        (PetitionStatus.SUBMITTED, Action.ASSIGN): Transition(
            PetitionStatus.ASSIGNED, _COORDINATOR
        ),
        (PetitionStatus.SUBMITTED, Action.REJECT): Transition(
            PetitionStatus.REJECTED, _COORDINATOR
        ),
        (PetitionStatus.ASSIGNED, Action.ACKNOWLEDGE): Transition(
            PetitionStatus.IN_PROGRESS, _OFFICER
        ),
        (PetitionStatus.ASSIGNED, Action.REQUEST_TRANSFER): Transition(
            PetitionStatus.TRANSFER_REQUESTED, _OFFICER
        ),
        (PetitionStatus.IN_PROGRESS, Action.REQUEST_TRANSFER): Transition(
            PetitionStatus.TRANSFER_REQUESTED, _OFFICER
        ),
        (PetitionStatus.TRANSFER_REQUESTED, Action.TRANSFER): Transition(
            PetitionStatus.ASSIGNED, _COORDINATOR
        ),
        (PetitionStatus.ASSIGNED, Action.TRANSFER): Transition(
            PetitionStatus.ASSIGNED, _COORDINATOR
        ),
        (PetitionStatus.IN_PROGRESS, Action.TRANSFER): Transition(
            PetitionStatus.ASSIGNED, _COORDINATOR
        ),
        (PetitionStatus.ESCALATED, Action.TRANSFER): Transition(
            PetitionStatus.ASSIGNED, _COORDINATOR
        ),
        (PetitionStatus.IN_PROGRESS, Action.PROGRESS_UPDATE): Transition(
            PetitionStatus.IN_PROGRESS, _OFFICER
        ),
        (PetitionStatus.ESCALATED, Action.PROGRESS_UPDATE): Transition(
            PetitionStatus.ESCALATED, _COORDINATOR
        ),
        (PetitionStatus.IN_PROGRESS, Action.ANSWER): Transition(PetitionStatus.ANSWERED, _OFFICER),
        (PetitionStatus.ESCALATED, Action.ANSWER): Transition(
            PetitionStatus.ANSWERED, _COORDINATOR
        ),
        (PetitionStatus.ANSWERED, Action.RATE): Transition(PetitionStatus.CLOSED, _PETITIONER),
        (PetitionStatus.ANSWERED, Action.FOLLOW_UP): Transition(
            PetitionStatus.IN_PROGRESS, _PETITIONER
        ),
        (PetitionStatus.ASSIGNED, Action.ESCALATE): Transition(
            PetitionStatus.ESCALATED, _COORDINATOR
        ),
        (PetitionStatus.IN_PROGRESS, Action.ESCALATE): Transition(
            PetitionStatus.ESCALATED, frozenset({ActorRole.COORDINATOR, ActorRole.SYSTEM})
        ),
        (PetitionStatus.TRANSFER_REQUESTED, Action.ESCALATE): Transition(
            PetitionStatus.ESCALATED, _COORDINATOR
        ),
        (PetitionStatus.ANSWERED, Action.ESCALATE): Transition(
            PetitionStatus.ESCALATED, _COORDINATOR
        ),
        # featuring a petition as useful changes no status, in any status but REJECTED
        **{
            (status, Action.FEATURE): Transition(status, _COORDINATOR)
            for status in PetitionStatus
            if status is not PetitionStatus.REJECTED
        },
        # urging (đôn đốc) the handling agency changes no status; SYSTEM urges automatically
        # after PAKN_AUTO_URGE_DAYS working days overdue
        **{
            (status, Action.URGE): Transition(
                status, frozenset({ActorRole.COORDINATOR, ActorRole.SYSTEM})
            )
            for status in sorted(URGE_STATUSES)
        },
        # a deadline that passed is written down by SYSTEM alone, in every open status
        **{
            (status, Action.OVERDUE): Transition(status, _SYSTEM)
            for status in sorted(OPEN_STATUSES)
        },
    }
)
"""(status, action) -> the resulting status and the roles that may take that step."""

VERSIONLESS_ACTIONS: frozenset[Action] = frozenset({Action.URGE, Action.OVERDUE})
"""Actions that leave a petition's `version` as it is, so that no officer's pending edit is
made stale by the Government Office's urging or by a deadline passing."""

AGENCY_BOUND_ROLES: frozenset[ActorRole] = frozenset({ActorRole.AGENCY_OFFICER})
"""Roles that may act only on petitions assigned to their own agency."""


def _roles_by_action() -> Mapping[Action, frozenset[ActorRole]]:
    roles: dict[Action, frozenset[ActorRole]] = {action: frozenset() for action in Action}
    for (_, action), transition in TRANSITIONS.items():
        roles[action] |= transition.roles
    return MappingProxyType(roles)


ROLES_BY_ACTION: Mapping[Action, frozenset[ActorRole]] = _roles_by_action()
"""Every role that may perform each action in at least one status."""


def decide(
    status: PetitionStatus,
    action: Action,
    actor: Actor,
    petition_agency_id: int | None,
) -> PetitionStatus | Refusal:
    """The status `action` by `actor` leads to, or why the actor may not take it."""
    role = actor.role
    if role == ActorRole.ADMIN:
        return Refusal(
            FORBIDDEN_ROLE,
            f"The role ADMIN manages tokens only and may not perform {action} "
            f"on a petition (this petition is {status}).",
        )
    if action == Action.SUBMIT:
        return Refusal(INVALID_TRANSITION, _invalid_transition_message(status, action, role))
    if role not in ROLES_BY_ACTION[action]:
        return Refusal(
            FORBIDDEN_ROLE,
            f"The role {role} may never perform {action} on a petition "
            f"(this petition is {status}).",
        )
    if role in AGENCY_BOUND_ROLES and not _is_own_agency(actor, petition_agency_id):
        return Refusal(
            WRONG_AGENCY, _wrong_agency_message(status, action, role, petition_agency_id)
        )
    transition = TRANSITIONS.get((status, action))
    if transition is None or role not in transition.roles:
        return Refusal(INVALID_TRANSITION, _invalid_transition_message(status, action, role))
    return transition.target


def allowed_actions(
    status: PetitionStatus, actor: Actor, petition_agency_id: int | None
) -> list[Action]:
    """The actions `decide` would accept from `actor` now, in the order of `Action`."""
    return [
        action
        for action in Action
        if not isinstance(decide(status, action, actor, petition_agency_id), Refusal)
    ]


def after_follow_up(follow_up_count: int, threshold: int = DEFAULT_FOLLOW_UP_THRESHOLD) -> bool:
    """Whether a petition must be escalated (by SYSTEM) after a follow-up.

    `follow_up_count` counts the follow-up just recorded: with the default threshold of 2,
    the first follow-up reopens the petition (IN_PROGRESS) and the second escalates it,
    as does every later one.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    return follow_up_count >= threshold


def _is_own_agency(actor: Actor, petition_agency_id: int | None) -> bool:
    return actor.agency_id is not None and actor.agency_id == petition_agency_id


def _wrong_agency_message(
    status: PetitionStatus, action: Action, role: ActorRole, petition_agency_id: int | None
) -> str:
    where = (
        "is not assigned to any agency"
        if petition_agency_id is None
        else "is assigned to another agency"
    )
    return (
        f"The role {role} may perform {action} only on petitions assigned to their own agency; "
        f"this {status} petition {where}."
    )


def _invalid_transition_message(status: PetitionStatus, action: Action, role: ActorRole) -> str:
    if action == Action.SUBMIT:
        return (
            f"SUBMIT creates a new petition; the role {role} cannot apply it "
            f"to an existing petition, which is {status}."
        )
    if status in TERMINAL_STATUSES:
        return (
            f"The petition is {status}, a final status: its handling is over, "
            f"so {role} cannot perform {action}."
        )
    return f"The role {role} cannot perform {action} while the petition is {status}."
