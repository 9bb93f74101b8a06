"""`Subscription.petitionEvents`: arguments checked, then the worker's event feed."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.domain.vocabulary import ActorRole
from app.services.feed import Audience, EventFeed, Interest, SlowSubscriber
from db.models import PetitionEvent
from db.queries import events as event_queries
from db.queries import petitions as petition_queries
from db.queries import reference
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.history import cursor_for_event_id, parse_event_cursor


async def _interest(ctx: Context, tracking_code: str | None, agency_code: str | None) -> Interest:
    petition_id = agency_id = None
    if tracking_code is not None:
        petition = await petition_queries.by_tracking_code(
            ctx.session, tracking_code, petition_queries.Related()
        )
        if petition is None:
            raise ClientError("UNKNOWN_PETITION", f"No petition has the code {tracking_code!r}.")
        petition_id = petition.id
    if agency_code is not None:
        agency = await reference.agency_by_code(ctx.session, agency_code)
        if agency is None:
            raise ClientError("UNKNOWN_CODE", f"No agency has the code {agency_code!r}.")
        agency_id = agency.id
    return Interest(petition_id, agency_id)


async def _audience(ctx: Context) -> Audience:
    officer = await ctx.officer()
    if officer is None:
        return Audience()
    if officer.actor.role is ActorRole.COORDINATOR:
        return Audience(coordinator=True)
    return Audience(agency_id=officer.actor.agency_id)


async def _refuse_a_long_replay(ctx: Context, interest: Interest, after_id: int) -> None:
    """A subscriber further behind than `max_replay` events pages through the history (or
    an export) up to `resumeAfter`, and subscribes from there: replaying it all here would
    hold a connection and memory for as long as it takes."""
    most = ctx.settings.max_replay
    if most <= 0:
        return
    floor = await event_queries.replay_floor(ctx.session, most, interest.petition_id)
    if floor is not None and after_id < floor:
        raise ClientError(
            "REPLAY_TOO_LONG",
            f"`after` lies more than {most} events behind. Read the events up to "
            "`resumeAfter` from the petitions' history or /export/petitions.ndjson, then "
            "subscribe with after: resumeAfter.",
            maxReplay=most,
            resumeAfter=cursor_for_event_id(floor),
        )


async def petition_events(
    ctx: Context,
    feed: EventFeed,
    tracking_code: str | None,
    agency_code: str | None,
    after: str | None,
) -> AsyncIterator[PetitionEvent]:
    after_id = parse_event_cursor(after) if after is not None else None
    try:
        interest = await _interest(ctx, tracking_code, agency_code)
        audience = await _audience(ctx)
        if after_id is not None:
            await _refuse_a_long_replay(ctx, interest, after_id)
    finally:
        await ctx.release()
    try:
        async for event in feed.stream(interest, audience, after_id):
            yield event
            await ctx.release()
    except SlowSubscriber as slow:
        resume = (
            f" Resubscribe with after: {cursor_for_event_id(slow.last_id)!r}."
            if slow.last_id
            else ""
        )
        raise ClientError(
            "SLOW_SUBSCRIBER", "This subscription fell too far behind and was closed." + resume
        ) from None
    finally:
        await ctx.release()
