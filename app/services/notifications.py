"""What an event owes its audience beyond the feed: the outbox messages it queues.

Every path that appends an event (the workflow's `transitions.apply`, the overdue clock)
calls `queue_for_event` in the event's own transaction, so a message exists exactly when
its event commits. E-mails to consenting petitioners and webhook deliveries are queued by
their own modules; sending is the background sender's (`app.services.outbox`).
"""

from __future__ import annotations

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
