"""What an event owes its audience beyond the feed: the outbox messages it queues.

Every path that appends an event (the workflow's `transitions.apply`, the overdue clock)
calls `queue_for_event` in the event's own transaction, so a message exists exactly when
its event commits. E-mails to consenting petitioners and webhook deliveries are queued by
their own modules; sending is the background sender's (`app.services.outbox`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.services import email_outbox, webhooks
from db.models import Petition, PetitionEvent

if TYPE_CHECKING:
    from app.settings import Settings


async def queue_for_event(
    session: AsyncSession,
    settings: Settings,
    event: PetitionEvent,
    petition: Petition,
) -> None:
    """Queue, in the caller's transaction, the messages `event` of `petition` owes."""
    await email_outbox.queue_email(session, event, petition, enabled=bool(settings.smtp_url))
    await webhooks.queue_deliveries(session, event, petition)


def for_settings(
    settings: Settings,
) -> Callable[[AsyncSession, PetitionEvent, Petition], Awaitable[None]]:
    """`queue_for_event` with `settings` bound: what the overdue clock, which is handed no
    settings (`app.services.overdue.Notify`), calls for each event it appends."""

    async def notify(session: AsyncSession, event: PetitionEvent, petition: Petition) -> None:
        await queue_for_event(session, settings, event, petition)

    return notify
