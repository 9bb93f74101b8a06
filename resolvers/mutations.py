"""Mutations: who is asking, then one write transaction through `app.services.transitions`.

Expected failures come back as the payload's userErrors and roll the transaction back;
authentication and authorisation failures are top-level errors (UNAUTHENTICATED,
FORBIDDEN), as the API conventions say.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from app.domain.attachments import BY_NAME
from app.domain.validation import Problem, SubmissionData
from app.domain.vocabulary import Action, ActorRole, IntakeChannel
from app.domain.workflow import ROLES_BY_ACTION, Actor
from app.services import (
    actions,
    attachments,
    erasure,
    notifications,
    secrets,
    submission,
    transitions,
)
from app.services.attachments import Prepared, Upload, UploadLimits
from app.services.outcome import Outcome, UserErrors, problem
from app.services.transitions import Change, ForbiddenRole
from db.models import Petition
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.ids import parse_global_id

OFFICER_ROLES = frozenset({ActorRole.COORDINATOR, ActorRole.AGENCY_OFFICER})


def officer_roles(action: Action) -> tuple[ActorRole, ...]:
    """The officer roles that may take `action` in some status: read from the workflow's
    own table, so the gate in front of a mutation never disagrees with what it decides."""
    return tuple(sorted(ROLES_BY_ACTION[action] & OFFICER_ROLES))


@dataclass
class Result:
    petition: Petition | None = None
    user_errors: list[Problem] = field(default_factory=list)
    tracking_code: str | None = None
    secret: str | None = None


def _result(outcome: Outcome) -> Result:
    return Result(petition=outcome.petition, secret=outcome.secret)


def _petition_id(token: str) -> int:
    try:
        return parse_global_id(token, expected="Petition")[1]
    except ClientError:
        raise UserErrors(
            problem("INVALID_ID", f"{token!r} is not a petition id.", "petitionId")
        ) from None


def _scope(ctx: Context, actor: Actor) -> transitions.ActionScope:
    return transitions.ActionScope(ctx.session, ctx.settings, ctx.now, actor)


async def officer_action(
    ctx: Context, petition_token: str, change: Change, uploads: Sequence[Upload] = ()
) -> Result:
    """`change` by the request's officer; `uploads` are checked once they are known to
    be one (no stranger makes the server decode pictures) and become the answer's."""
    officer = await ctx.require_officer(*officer_roles(change.action))
    try:
        petition_id = _petition_id(petition_token)
        if uploads:
            change = replace(change, attachments=await prepared(ctx, uploads))
        scope = _scope(ctx, officer.actor)
        return Result(petition=await actions.by_officer(ctx.writes, scope, petition_id, change))
    except UserErrors as errors:
        return Result(user_errors=errors.problems)
    except ForbiddenRole as forbidden:
        raise ClientError("FORBIDDEN", str(forbidden)) from None


async def petitioner_action(
    ctx: Context, tracking_code: str, secret: str, change: Change
) -> Result:
    scope = _scope(ctx, Actor(ActorRole.PETITIONER))
    try:
        petition = await actions.by_petitioner(ctx.writes, scope, tracking_code, secret, change)
    except UserErrors as errors:
        return Result(user_errors=errors.problems)
    ctx.petitioner_of.add(petition.id)
    return Result(petition=petition)


async def publish_attachment(
    ctx: Context, tracking_code: str, secret: str, attachment_token: str, public: bool
) -> Result:
    try:
        _kind, attachment_id = parse_global_id(attachment_token, "Attachment")
    except ClientError as bad:
        return Result(user_errors=[problem(bad.code, bad.message, "attachmentId")])
    try:
        petition = await actions.publish(
            ctx.writes, ctx.session, tracking_code, secret, attachment_id, public
        )
    except UserErrors as errors:
        return Result(user_errors=errors.problems)
    ctx.petitioner_of.add(petition.id)
    return Result(petition=petition)


async def reissue_secret(ctx: Context, petition_token: str) -> Result:
    officer = await ctx.require_officer(ActorRole.COORDINATOR)
    try:
        petition, secret = await secrets.reissue(
            ctx.writes,
            ctx.session,
            _petition_id(petition_token),
            officer.actor,
            ctx.now,
            notify=notifications.for_settings(ctx.settings),
        )
    except UserErrors as errors:
        return Result(user_errors=errors.problems)
    ctx.petitioner_of.add(petition.id)
    return Result(petition=petition, secret=secret, tracking_code=petition.tracking_code)


async def erase_petitioner_data(ctx: Context, tracking_code: str, secret: str) -> Result:
    try:
        petition = await erasure.erase_for_petitioner(
            ctx.writes,
            ctx.session,
            tracking_code,
            secret,
            ctx.now,
            notify=notifications.for_settings(ctx.settings),
        )
    except UserErrors as errors:
        return Result(user_errors=errors.problems)
    ctx.petitioner_of.add(petition.id)
    return Result(petition=petition)


def upload_limits(ctx: Context) -> UploadLimits:
    settings = ctx.settings
    return UploadLimits(
        max_bytes=settings.max_upload_bytes,
        max_count=settings.max_uploads,
        max_total=settings.max_upload_total,
        types=frozenset(BY_NAME[name] for name in settings.upload_types),
    )


async def prepared(ctx: Context, uploads: Sequence[Upload]) -> list[Prepared]:
    """`uploads` checked and made ready to store, in a worker thread; UserErrors if not."""
    return await asyncio.to_thread(attachments.prepare, uploads, upload_limits(ctx))


async def record(
    ctx: Context,
    data: SubmissionData,
    idempotency_key: str | None,
    channel: str,
    received_at: datetime,
    uploads: Sequence[Upload] = (),
) -> Result:
    """`recordPetition`: the officer is checked before anything else is."""
    officer = await ctx.require_officer(ActorRole.COORDINATOR, ActorRole.AGENCY_OFFICER)
    recorded = submission.Recorded(officer.actor.role, IntakeChannel(channel), received_at)
    return await submit(ctx, data, idempotency_key, None, uploads, recorded)


async def submit(
    ctx: Context,
    data: SubmissionData,
    idempotency_key: str | None,
    challenge_solution: str | None = None,
    uploads: Sequence[Upload] = (),
    recorded: submission.Recorded | None = None,
) -> Result:
    request = submission.Submission(
        data, idempotency_key, ctx.client_address, challenge_solution, (), recorded
    )
    try:
        if uploads:
            await submission.admissible(ctx.session, ctx.settings, request, ctx.now)
            request = replace(request, attachments=await prepared(ctx, uploads))
    except UserErrors as errors:
        return Result(user_errors=errors.problems)
    try:
        outcome = await submission.submit_in_transaction(
            ctx.writes, ctx.session, ctx.settings, request, ctx.now
        )
    except UserErrors as errors:
        return Result(user_errors=errors.problems)
    result = _result(outcome)
    if outcome.petition is not None:
        result.tracking_code = outcome.petition.tracking_code
        ctx.petitioner_of.add(outcome.petition.id)
    return result
