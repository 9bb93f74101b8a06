"""Moving a petition through its workflow: one function per transaction, one event each.

Every change goes through `apply`: the workflow decides whether the actor may take the
action in the petition's status; the petition's version is claimed (optimistic locking:
`UPDATE ... WHERE version = expected`, so of two racing writers exactly one wins); the
action's own effects are written; the event is appended to the hash chain; the statistics
rollup takes the petition's change; and the whole transaction commits or nothing does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.overdue import auto_urge_note
from app.domain.reference import GOVERNMENT_OFFICE_CODE
from app.domain.signing import seal_answer, seal_time
from app.domain.text import normalize, normalize_code
from app.domain.timezone import to_local
from app.domain.urging import may_urge, next_urge_from
from app.domain.vocabulary import (
    Action,
    ActorRole,
    EscalationReason,
    PetitionStatus,
    RejectionReason,
)
from app.domain.workflow import (
    FORBIDDEN_ROLE,
    VERSIONLESS_ACTIONS,
    Actor,
    Refusal,
    after_follow_up,
    decide,
)
from app.domain.working_days import deadline_after, elapsed_working_days
from app.services import attachments, notifications, overdue
from app.services.attachments import Prepared
from app.services.outcome import UserErrors, problem
from db import event_log, keys, rollup
from db.event_log import NewEvent
from db.models import Agency, Answer, Assignment, Petition, Rating
from db.queries import reference

if TYPE_CHECKING:
    from app.settings import Settings

MAX_NOTE = 5_000
MIN_ANSWER, MAX_ANSWER = 30, 10_000


class ForbiddenRole(Exception):
    """The actor's role may never take this action: an authorisation failure."""


@dataclass
class Change:
    """What one action asks for, beyond the petition and the actor."""

    action: Action
    expected_version: int | None
    note: str | None = None
    agency_code: str | None = None
    field_code: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    body: str | None = None
    score: int | None = None
    comment: str | None = None
    note_field: str = "note"
    """The input field the note came in (a follow-up's is `body`), for userErrors."""
    attachments: Sequence[Prepared] = ()
    """An answer's checked files (`app.services.attachments.prepare`): public, sealed."""


def _text(value: str | None) -> str:
    """Free text as pakn stores it: NFC (answers are sealed over these exact bytes)."""
    return normalize(value).strip() if value else ""


@dataclass
class Step:
    """The event(s) an action appends, filled in by its effect."""

    to_status: PetitionStatus
    agency_id: int | None
    note: str | None
    is_public: bool = True
    extra: list[NewEvent] = field(default_factory=list)


@dataclass
class ActionScope:
    """Who acts, in which session and at what moment: the same for every step of one action."""

    session: AsyncSession
    settings: Settings
    now: datetime
    actor: Actor


Effect = Callable[[ActionScope, Petition, Change, Step], Awaitable[None]]


def _restart_clock(ctx: ActionScope, petition: Petition) -> None:
    petition.clock_started_at = ctx.now
    petition.deadline_at = deadline_after(ctx.now, ctx.settings.response_working_days)


async def _agency(ctx: ActionScope, code: str | None, path: str) -> Agency:
    agency = None
    if code:
        agency = await reference.agency_by_code(ctx.session, code)
    if agency is None:
        raise UserErrors(problem("UNKNOWN_CODE", f"No agency has the code {code!r}.", path))
    return agency


def _note(change: Change, *, required: bool) -> str | None:
    note = _text(change.note) or None
    where = change.note_field
    if required and not note:
        raise UserErrors(problem("REQUIRED", "A note is required for this action.", where))
    if note and len(note) > MAX_NOTE:
        raise UserErrors(problem("TOO_LONG", f"A note holds at most {MAX_NOTE} characters.", where))
    return note


async def _assign(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    agency = await _agency(ctx, change.agency_code, "agencyCode")
    if change.field_code:
        field_id = await reference.field_id_by_code(ctx.session, change.field_code)
        if field_id is None:
            raise UserErrors(
                problem("UNKNOWN_CODE", f"No field {change.field_code!r}.", "fieldCode")
            )
        petition.field_id = field_id
    petition.agency_id = agency.id
    petition.accepted_at = ctx.now
    _restart_clock(ctx, petition)
    ctx.session.add(Assignment(petition_id=petition.id, agency_id=agency.id, assigned_at=ctx.now))
    step.agency_id = agency.id


async def _reject(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    try:
        reason = RejectionReason(change.reason or "")
    except ValueError:
        raise UserErrors(problem("INVALID_REASON", "Give a rejection reason.", "reason")) from None
    if reason is RejectionReason.DUPLICATE:
        original = normalize_code(change.duplicate_of or "")
        exists = await ctx.session.scalar(
            select(Petition.id).where(
                Petition.tracking_code == original, Petition.id != petition.id
            )
        )
        if not exists:
            raise UserErrors(
                problem(
                    "UNKNOWN_PETITION", "Name the original petition's tracking code.", "duplicateOf"
                )
            )
        petition.duplicate_of = original
    petition.rejection_reason = reason.value


async def _transfer(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    agency = await _agency(ctx, change.agency_code, "agencyCode")
    if agency.id == petition.agency_id:
        raise UserErrors(
            problem("SAME_AGENCY", "The petition is already with that agency.", "agencyCode")
        )
    current = await ctx.session.scalar(
        select(Assignment).where(
            Assignment.petition_id == petition.id, Assignment.ended_at.is_(None)
        )
    )
    if current is not None:
        current.ended_at = ctx.now
        current.end_reason = "TRANSFERRED"
    petition.agency_id = agency.id
    petition.escalation_reason = None
    _restart_clock(ctx, petition)
    ctx.session.add(Assignment(petition_id=petition.id, agency_id=agency.id, assigned_at=ctx.now))
    step.agency_id = agency.id


async def _progress(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    _restart_clock(ctx, petition)


async def _escalate(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    try:
        reason = EscalationReason(change.reason or "")
    except ValueError:
        raise UserErrors(
            problem("INVALID_REASON", "Give an escalation reason.", "reason")
        ) from None
    petition.escalation_reason = reason.value
    if petition.escalated_at is None:
        petition.escalated_at = ctx.now
    _restart_clock(ctx, petition)


async def _answer(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    body = _text(change.body)
    if not MIN_ANSWER <= len(body) <= MAX_ANSWER:
        raise UserErrors(
            problem(
                "INVALID_LENGTH",
                f"An answer holds {MIN_ANSWER} to {MAX_ANSWER} characters.",
                "body",
            )
        )
    if petition.status == PetitionStatus.ESCALATED:
        agency = await _agency(ctx, GOVERNMENT_OFFICE_CODE, "petitionId")
    else:
        agency = await ctx.session.get_one(Agency, petition.agency_id)
    key, private_key = await keys.signing_key(
        ctx.session, agency, ctx.now, ctx.settings.key_encryption_key
    )
    answered_at = seal_time(ctx.now)
    digests = [file.sha256 for file in change.attachments]
    seal = seal_answer(private_key, petition.tracking_code, agency.code, body, answered_at, digests)
    answer = Answer(
        petition_id=petition.id,
        agency_id=agency.id,
        body=body,
        answered_at=answered_at,
        signature=seal.signature,
        key_id=key.key_id,
        seal_version=seal.version,
        body_sha256=seal.body_sha256,
    )
    ctx.session.add(answer)
    if change.attachments:
        await ctx.session.flush()
        await attachments.attach(
            ctx.session,
            petition.id,
            change.attachments,
            ctx.now,
            answer_id=answer.id,
            public=not petition.is_private,
        )
    if petition.answered_at is None:
        petition.answered_at = answered_at
        petition.response_working_days = elapsed_working_days(
            petition.accepted_at or answered_at, answered_at
        )
        petition.answered_on_time = (
            petition.deadline_at is None or answered_at <= petition.deadline_at
        )
    step.agency_id = agency.id


async def _rate(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    if change.score is None or not 1 <= change.score <= 5:
        raise UserErrors(
            problem("INVALID_SCORE", "A score is a whole number from 1 to 5.", "score")
        )
    comment = _text(change.comment) or None
    if comment and len(comment) > MAX_NOTE:
        raise UserErrors(
            problem("TOO_LONG", f"A comment holds at most {MAX_NOTE} characters.", "comment")
        )
    latest_answer = await ctx.session.scalar(
        select(Answer.id)
        .where(Answer.petition_id == petition.id)
        .order_by(Answer.id.desc())
        .limit(1)
    )
    ctx.session.add(
        Rating(
            petition_id=petition.id,
            answer_id=latest_answer,
            score=change.score,
            comment=comment,
            rated_at=ctx.now,
        )
    )
    petition.rating_score = change.score
    petition.closed_at = ctx.now
    step.note = None


async def _follow_up(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    petition.follow_up_count += 1
    _restart_clock(ctx, petition)
    step.is_public = not petition.is_private
    if after_follow_up(petition.follow_up_count, ctx.settings.follow_up_escalation_threshold):
        petition.escalation_reason = EscalationReason.REPEATED_COMPLAINT.value
        if petition.escalated_at is None:
            petition.escalated_at = ctx.now
        step.extra.append(
            NewEvent(
                petition_id=petition.id,
                action=Action.ESCALATE.value,
                from_status=PetitionStatus.IN_PROGRESS.value,
                to_status=PetitionStatus.ESCALATED.value,
                at=ctx.now,
                actor_role=ActorRole.SYSTEM.value,
                agency_id=petition.agency_id,
                note=f"Escalated after {petition.follow_up_count} follow-ups.",
            )
        )


async def _feature(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    """Held up as useful: the note says why; featuring again updates the time and note."""
    petition.featured_at = ctx.now
    petition.featured_note = step.note


async def _urge(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    """The Government Office urges the handling agency: once a working day at most
    (`app.domain.urging`), the event public and addressed to the agency."""
    last = petition.last_urged_at
    if last is not None and not may_urge(last, ctx.now):
        again = to_local(next_urge_from(last))
        raise UserErrors(
            problem(
                "ALREADY_URGED",
                f"The petition was urged at {to_local(last).isoformat(timespec='seconds')}, "
                "and is urged at most once a working day: it may be urged again from "
                f"{again.isoformat(timespec='seconds')}.",
                "petitionId",
            )
        )
    petition.urge_count = (petition.urge_count or 0) + 1
    petition.last_urged_at = ctx.now


async def _nothing(ctx: ActionScope, petition: Petition, change: Change, step: Step) -> None:
    return None


EFFECTS: dict[Action, tuple[Effect, bool]] = {
    Action.ASSIGN: (_assign, False),
    Action.REJECT: (_reject, False),
    Action.ACKNOWLEDGE: (_nothing, False),
    Action.REQUEST_TRANSFER: (_nothing, True),
    Action.TRANSFER: (_transfer, False),
    Action.PROGRESS_UPDATE: (_progress, True),
    Action.ESCALATE: (_escalate, False),
    Action.ANSWER: (_answer, False),
    Action.RATE: (_rate, False),
    Action.FOLLOW_UP: (_follow_up, True),
    Action.FEATURE: (_feature, True),
    Action.URGE: (_urge, True),
}
"""Each action's effect, and whether it needs a note."""

# VERSIONLESS_ACTIONS (app.domain.workflow), URGE and OVERDUE, leave `version` as it is: an
# `expectedVersion` given is still checked (STALE_VERSION), SYSTEM may give none. What keeps
# racing writers apart is the claim's comparison of the counts they change (`_claim_version`).

INTERNAL_ACTIONS = frozenset({Action.REQUEST_TRANSFER})
"""Actions whose event (and note) only officers see."""


def _refusal_problem(refusal: Refusal) -> UserErrors:
    return UserErrors(problem(refusal.code, refusal.message, "petitionId"))


def _as_read(petition: Petition, name: str) -> int:
    """The attribute as the row holds it in this transaction: before the unflushed changes
    of the action under way."""
    history = inspect(petition).attrs[name].history
    return (history.deleted or history.unchanged or history.added)[0]  # type: ignore[no-any-return]


async def _claim_version(ctx: ActionScope, petition: Petition, change: Change, events: int) -> None:
    """Claim the petition for this action: `UPDATE ... WHERE` the version and the urge and
    overdue counts are still those read, so of two racing writers exactly one wins.

    The counts are compared because URGE and OVERDUE change them without moving the
    version: a transfer that read the petition before an urge committed would otherwise
    move it to another agency's figures without its urge, and two urges of the same working
    day would both pass. The comparison runs before this action's own changes are flushed.
    """
    expected = change.expected_version
    versionless = change.action in VERSIONLESS_ACTIONS
    if expected is None and (
        ctx.actor.role is ActorRole.PETITIONER
        or (versionless and ctx.actor.role is ActorRole.SYSTEM)
    ):
        expected = petition.version
    if expected is None:
        raise UserErrors(
            problem("REQUIRED", "Pass the petition's current `version`.", "expectedVersion")
        )
    stale = UserErrors(
        problem(
            "STALE_VERSION",
            f"The petition is at version {petition.version}, not {expected}: reload and retry.",
            "expectedVersion",
        )
    )
    if petition.version != expected:
        raise stale
    claimed_version = expected if versionless else expected + events
    with ctx.session.no_autoflush:
        claimed = await ctx.session.execute(
            update(Petition)
            .where(
                Petition.id == petition.id,
                Petition.version == expected,
                Petition.urge_count == _as_read(petition, "urge_count"),
                Petition.overdue_count == _as_read(petition, "overdue_count"),
            )
            .values(version=claimed_version)
            .execution_options(synchronize_session=False)
        )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise UserErrors(
            problem(
                "STALE_VERSION",
                "Another action changed the petition while this one was taken: reload and retry.",
                "expectedVersion",
            )
        )
    petition.version = claimed_version


async def apply(ctx: ActionScope, petition: Petition, change: Change) -> None:
    """Take `change.action` on `petition` inside the caller's transaction, or raise."""
    status = PetitionStatus(petition.status)
    decision = decide(status, change.action, ctx.actor, petition.agency_id)
    if isinstance(decision, Refusal):
        if decision.code == FORBIDDEN_ROLE:
            raise ForbiddenRole(decision.message)
        raise _refusal_problem(decision)
    # a deadline passed while the overdue clock was down or behind: its OVERDUE comes first
    await overdue.write_if_due(
        ctx.session, petition, ctx.now, notifications.for_settings(ctx.settings)
    )
    effect, needs_note = EFFECTS[change.action]
    counted_before = rollup.contribution(petition)
    step = Step(
        to_status=decision,
        agency_id=petition.agency_id,
        note=_note(change, required=needs_note),
        is_public=change.action not in INTERNAL_ACTIONS,
    )
    await effect(ctx, petition, change, step)
    await _claim_version(ctx, petition, change, 1 + len(step.extra))
    event = await event_log.append(
        ctx.session,
        NewEvent(
            petition_id=petition.id,
            action=change.action.value,
            from_status=status.value,
            to_status=step.to_status.value,
            at=ctx.now,
            actor_role=ctx.actor.role.value,
            agency_id=step.agency_id,
            note=step.note,
            is_public=step.is_public,
        ),
    )
    appended = [event]
    final = step.to_status
    for extra in step.extra:
        appended.append(await event_log.append(ctx.session, extra))
        final = PetitionStatus(extra.to_status)
    petition.status = final.value
    for each in appended:
        await notifications.queue_for_event(ctx.session, ctx.settings, each, petition)
    await rollup.record(ctx.session, counted_before, rollup.contribution(petition))
    await ctx.session.flush()


def system_urge(settings: Settings, days: int) -> overdue.Urge:
    """The automatic urge (PAKN_AUTO_URGE_DAYS) the overdue clock takes: an URGE by SYSTEM
    through `apply`, with the settings bound, its note saying why."""
    actor = Actor(ActorRole.SYSTEM)
    note = auto_urge_note(days)

    async def urge(session: AsyncSession, petition: Petition, now: datetime) -> None:
        await apply(
            ActionScope(session, settings, now, actor),
            petition,
            Change(Action.URGE, None, note=note),
        )

    return urge
