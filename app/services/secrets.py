"""A new secret for a petitioner who lost theirs (#18, point 3): the Government Office,
having checked who asks (a letter's sender, a visitor at the desk), reissues it. Not an
agency's officer: with the petitioner's secret they could rate their own agency's
answer or publish the petitioner's files. The old secret stops working at once; the
new one is returned once, for the receipt. A public SECRET_REISSUED event (no note, the
officer's role) records that it happened, so a petitioner whose secret was reissued
without their asking can see it on the petition's history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.credentials import hash_secret, new_petitioner_secret
from app.domain.vocabulary import Action, ActorRole
from app.domain.workflow import Actor
from app.services.outcome import UserErrors, problem
from db import event_log
from db.event_log import NewEvent
from db.models import Petition
from db.transactions import WriteGate

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from db.models import PetitionEvent

    Notify = Callable[[AsyncSession, PetitionEvent, Petition], Awaitable[None]]


async def reissue(
    writes: WriteGate,
    session: AsyncSession,
    petition_id: int,
    actor: Actor,
    now: datetime,
    notify: Notify | None = None,
) -> tuple[Petition, str]:
    """(the petition, its new secret), or UserErrors: NOT_FOUND, or WRONG_AGENCY for an
    officer of another agency than the one handling it."""
    async with writes.transaction(session):
        petition = await session.get(Petition, petition_id, with_for_update=True)
        if petition is None:
            raise UserErrors(problem("NOT_FOUND", "No petition has this id.", "petitionId"))
        if actor.role is ActorRole.AGENCY_OFFICER and actor.agency_id != petition.agency_id:
            raise UserErrors(
                problem(
                    "WRONG_AGENCY",
                    "Only the Government Office or the agency handling the petition may "
                    "reissue its secret.",
                    "petitionId",
                )
            )
        secret = new_petitioner_secret()
        petition.secret_hash = hash_secret(secret)
        event = await event_log.append(
            session,
            NewEvent(
                petition_id=petition.id,
                action=Action.SECRET_REISSUED.value,
                from_status=petition.status,
                to_status=petition.status,
                at=now,
                actor_role=actor.role.value,
                agency_id=petition.agency_id,
            ),
        )
        if notify is not None:
            await notify(session, event, petition)
        return petition, secret
