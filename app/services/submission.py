"""Submitting a petition: checked input, idempotent retries, a per-address hourly limit.

The petitioner gets the public tracking code and a secret, shown once; only the secret's
hash is stored. When the client sends an `idempotencyKey`, the secret is derived from it
with the server key (HMAC), so a retry of the same submission gets the same petition and
the same secret back, while the same key with a different payload is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.credentials import hash_secret, new_petitioner_secret, secret_matches
from app.domain.intake import received_at_problem
from app.domain.reference import province_codes
from app.domain.text import fold
from app.domain.timezone import to_local
from app.domain.validation import SubmissionData, validate_submission
from app.domain.vocabulary import (
    Action,
    ActorRole,
    IntakeChannel,
    PetitionStatus,
    tracking_code,
)
from app.services import attachments, bot_check, notifications
from app.services.action_text import text_problem
from app.services.attachments import Prepared
from app.services.outcome import Outcome, UserErrors, problem
from db import event_log, rollup
from db.event_log import NewEvent
from db.models import Field, Petition, PetitionerContact
from db.transactions import WriteGate

if TYPE_CHECKING:
    from app.settings import Settings

MAX_IDEMPOTENCY_KEY = 100


@dataclass(frozen=True)
class Submission:
    data: SubmissionData
    idempotency_key: str | None
    client_address: str | None
    challenge_solution: str | None = None
    attachments: Sequence[Prepared] = ()
    """Checked files (`app.services.attachments.prepare`), private to the petition."""
    recorded: Recorded | None = None
    """Entered by an officer from a letter, a call, ...: `recordPetition`."""


@dataclass(frozen=True)
class Recorded:
    """How an officer received the petition they enter, and when: the petition's
    submittedAt. Officers are spared the hourly limit and the bot check."""

    by: ActorRole
    channel: IntakeChannel
    received_at: datetime


def _keyed(settings: Settings, purpose: str, value: str) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"{purpose}:{value}".encode(), "sha256"
    ).hexdigest()


def _fingerprint(
    data: SubmissionData, files: Sequence[Prepared] = (), recorded: Recorded | None = None
) -> str:
    fields = asdict(data)
    if recorded is not None:
        fields["recorded"] = [recorded.channel.value, recorded.received_at.isoformat()]
    if not data.petitioner.notify_by_email:
        del fields["petitioner"]["notify_by_email"]  # the fingerprints stored before #15
    if files:
        fields["attachments"] = [file.sha256 for file in files]
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _secret_for(settings: Settings, idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return new_petitioner_secret()
    return _keyed(settings, "petitioner-secret", idempotency_key)


async def _existing(
    session: AsyncSession, key: str, fingerprint: str, settings: Settings
) -> Outcome:
    petition = await session.scalar(select(Petition).where(Petition.idempotency_key == key))
    if petition is None:
        raise LookupError(key)
    if petition.submission_fingerprint != fingerprint:
        raise UserErrors(
            problem(
                "IDEMPOTENCY_KEY_REUSED",
                "This idempotencyKey was used for a different petition; use a new key.",
                "idempotencyKey",
            )
        )
    secret = _secret_for(settings, key)
    if petition.secret_hash and not secret_matches(secret, petition.secret_hash):
        raise UserErrors(
            problem(
                "SECRET_REISSUED",
                "This petition was filed, and an officer has since reissued its secret: ask "
                "them, or the Government Office, for it.",
                "idempotencyKey",
            )
        )
    return Outcome(petition=petition, secret=secret)


async def _check_rate(session: AsyncSession, client: str | None, now: datetime, limit: int) -> None:
    if client is None:
        return
    recent = await session.scalar(
        select(func.count())
        .select_from(Petition)
        .where(
            Petition.client_fingerprint == client, Petition.submitted_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= limit:
        raise UserErrors(
            problem("RATE_LIMITED", f"At most {limit} petitions an hour may come from one address.")
        )


async def _known_fields(session: AsyncSession) -> dict[str, int]:
    return {
        code: ident for code, ident in (await session.execute(select(Field.code, Field.id))).all()
    }


async def admissible(
    session: AsyncSession, settings: Settings, submission: Submission, now: datetime
) -> None:
    """What a public submission must pass before its files are even read (decoding a
    picture takes a second and hundreds of megabytes): the hourly limit and the bot
    check, both asked again, and the solution spent, in the submission's transaction."""
    if submission.recorded is not None:
        return  # an officer, already known to be one
    if submission.client_address is not None:
        client = _keyed(settings, "client", submission.client_address)
        await _check_rate(session, client, now, settings.submissions_per_hour)
    await _check_bot(session, settings, submission, now)


async def _check_bot(
    session: AsyncSession,
    settings: Settings,
    submission: Submission,
    now: datetime,
    *,
    spend: bool = False,
) -> None:
    """The bot check of `submission`: asked (`admissible`), or passed and spent (`submit`)."""
    check = bot_check.spend if spend else bot_check.unspent
    await check(
        session,
        submission.challenge_solution,
        now,
        secret_key=settings.secret_key,
        required=settings.submit_pow,
    )


async def submit(
    session: AsyncSession, settings: Settings, submission: Submission, now: datetime
) -> Outcome:
    """Create the petition inside the caller's transaction; raise UserErrors on a problem."""
    key = submission.idempotency_key.strip() if submission.idempotency_key else None
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise UserErrors(
            problem(
                "INVALID_LENGTH", "An idempotencyKey holds 1 to 100 characters.", "idempotencyKey"
            )
        )
    fields = await _known_fields(session)
    data, problems = validate_submission(
        submission.data, known_fields=set(fields), known_provinces=set(province_codes())
    )
    if problems:
        raise UserErrors(*problems)
    fingerprint = _fingerprint(data, submission.attachments, submission.recorded)
    if key is not None:
        try:
            return await _existing(session, key, fingerprint, settings)
        except LookupError:
            pass
    client = (
        _keyed(settings, "client", submission.client_address)
        if submission.client_address and submission.recorded is None
        else None
    )
    recorded = submission.recorded
    if recorded is None:
        await _check_rate(session, client, now, settings.submissions_per_hour)
        await _check_bot(session, settings, submission, now, spend=True)
    else:
        problem_text = received_at_problem(recorded.received_at, now)
        if problem_text is not None:
            raise UserErrors(problem("INVALID_RECEIVED_AT", problem_text, "receivedAt"))
        if recorded.channel is IntakeChannel.ONLINE:
            raise UserErrors(
                problem(
                    "INVALID_INTAKE_CHANNEL",
                    "Online petitions come through submitPetition: give how it was received.",
                    "intakeChannel",
                )
            )
    await event_log.lock_chain(session)
    petition_id = (await session.scalar(select(func.max(Petition.id))) or 0) + 1
    secret = _secret_for(settings, key)
    petition = Petition(
        id=petition_id,
        tracking_code=tracking_code(petition_id, to_local(now).year),
        channel=data.channel,
        kind=data.kind,
        subject=data.subject,
        title=data.title,
        body=data.body,
        is_private=data.is_private,
        field_id=fields.get(data.field_code) if data.field_code else None,
        province_code=data.province_code,
        status=PetitionStatus.SUBMITTED.value,
        submitted_at=recorded.received_at if recorded else now,
        intake_channel=(recorded.channel if recorded else IntakeChannel.ONLINE).value,
        follow_up_count=0,
        version=1,
        search_text="" if data.is_private else fold(f"{data.title} {data.body}"),
        secret_hash=hash_secret(secret),
        idempotency_key=key,
        submission_fingerprint=fingerprint,
        client_fingerprint=client,
    )
    person = data.petitioner
    session.add(petition)
    session.add(PetitionerContact(petition_id=petition_id, **asdict(person)))
    await session.flush()
    await attachments.attach(session, petition_id, submission.attachments, now)
    event = await event_log.append(
        session,
        NewEvent(
            petition_id=petition_id,
            action=Action.SUBMIT.value,
            from_status=None,
            to_status=PetitionStatus.SUBMITTED.value,
            at=now,
            actor_role=(recorded.by if recorded else ActorRole.PETITIONER).value,
        ),
    )
    await notifications.queue_for_event(session, settings, event, petition)
    await rollup.record(session, None, rollup.contribution(petition))
    return Outcome(petition=petition, secret=secret)


async def submit_in_transaction(
    writes: WriteGate,
    session: AsyncSession,
    settings: Settings,
    submission: Submission,
    now: datetime,
) -> Outcome:
    """`submit` in its own transaction. Two retries of one idempotency key that race both
    pass the lookup and one insert then fails on the key's uniqueness: run once more, and
    that run finds the winner's petition and answers with it. So for one bot-check
    solution sent twice at once (the second run finds it spent: CHALLENGE_USED), and for
    one new file attached to two petitions at once (the second finds it stored)."""
    refused = text_problem(submission.idempotency_key, "idempotencyKey")
    if refused is not None:
        raise UserErrors(refused)
    for attempt in range(2):
        try:
            async with writes.transaction(session):
                return await submit(session, settings, submission, now)
        except IntegrityError:
            raced = (
                submission.idempotency_key is not None
                or submission.challenge_solution
                or submission.attachments
            )
            if attempt or not raced:
                raise
    raise AssertionError("unreachable")
