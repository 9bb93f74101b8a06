"""A petition's public history, paged per petition and batched across a page of petitions."""

from __future__ import annotations

from app.domain.visibility import handles_petition
from db.models import Petition, PetitionEvent
from resolvers.context import Context
from resolvers.ids import decode_id_cursor, encode_id_cursor
from resolvers.loaders import EventPageKey
from resolvers.pagination import MAX_PAGE, Connection, connection, page_args

EVENT_CURSOR_SCOPE = "event"


def cursor_for_event_id(event_id: int) -> str:
    return encode_id_cursor(EVENT_CURSOR_SCOPE, event_id)


def event_cursor(event: PetitionEvent) -> str:
    return cursor_for_event_id(event.id)


def parse_event_cursor(token: str) -> int:
    return decode_id_cursor(token, EVENT_CURSOR_SCOPE)


async def event_connection(
    ctx: Context, petition: Petition, first: int | None, after: str | None
) -> Connection[PetitionEvent]:
    """The petition's history; officers handling it also see internal events."""
    args = page_args(first, after, default=MAX_PAGE)
    after_id = parse_event_cursor(args.after) if args.after else None
    internal = ctx.authorization is not None and handles_petition(
        await ctx.actor(), petition.agency_id
    )
    key = EventPageKey(petition.id, after_id, args.limit + 1, public_only=not internal)
    rows = await ctx.loaders.event_page.load(key)

    async def counter() -> int:
        counts = ctx.loaders.all_event_count if internal else ctx.loaders.event_count
        return await counts.load(petition.id)

    return connection(
        rows[: args.limit],
        event_cursor,
        args=args,
        has_more=len(rows) > args.limit,
        counter=counter,
    )
