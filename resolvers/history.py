"""A petition's public history, paged per petition and batched across a page of petitions."""

from __future__ import annotations

from db.models import PetitionEvent
from resolvers.context import Context
from resolvers.ids import decode_id_cursor, encode_id_cursor
from resolvers.loaders import EventPageKey
from resolvers.pagination import MAX_PAGE, Connection, connection, page_args

EVENT_CURSOR_SCOPE = "event"


def event_cursor(event: PetitionEvent) -> str:
    return encode_id_cursor(EVENT_CURSOR_SCOPE, event.id)


def parse_event_cursor(token: str) -> int:
    return decode_id_cursor(token, EVENT_CURSOR_SCOPE)


async def event_connection(
    ctx: Context, petition_id: int, first: int | None, after: str | None
) -> Connection[PetitionEvent]:
    args = page_args(first, after, default=MAX_PAGE)
    after_id = parse_event_cursor(args.after) if args.after else None
    key = EventPageKey(petition_id, after_id, args.limit + 1)
    rows = await ctx.loaders.event_page.load(key)

    async def counter() -> int:
        return await ctx.loaders.event_count.load(petition_id)

    return connection(
        rows[: args.limit],
        event_cursor,
        args=args,
        has_more=len(rows) > args.limit,
        counter=counter,
    )
