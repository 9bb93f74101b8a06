"""Agencies and fields."""

from __future__ import annotations

from app.domain.text import normalize, search_terms
from db.models import Agency, Field
from db.queries import reference
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.ids import decode_id_cursor, encode_id_cursor
from resolvers.pagination import MAX_PAGE, Connection, connection, page_args

AGENCY_CURSOR_SCOPE = "agency"


MAX_SEARCH_LENGTH = 200
"""Longer than any agency's name: a longer `search` is refused before it is folded."""


async def agency_connection(
    ctx: Context, first: int | None, after: str | None, kind: str | None, search: str | None
) -> Connection[Agency]:
    args = page_args(first, after, default=MAX_PAGE)
    after_id = decode_id_cursor(args.after, AGENCY_CURSOR_SCOPE) if args.after else None
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        raise ClientError(
            "INVALID_SEARCH", f"`search` holds at most {MAX_SEARCH_LENGTH} characters."
        )
    terms = search_terms(normalize(search)) if search is not None else []
    if search is not None and not terms:
        raise ClientError("INVALID_SEARCH", "`search` needs at least one letter or digit.")
    rows, has_more = await reference.agency_page(
        ctx.session, after_id=after_id, limit=args.limit, kind=kind, search_terms=terms
    )

    async def counter() -> int:
        return await reference.agency_count(ctx.session, kind, terms)

    return connection(
        rows,
        lambda row: encode_id_cursor(AGENCY_CURSOR_SCOPE, row.id),
        args=args,
        has_more=has_more,
        counter=counter,
    )


async def agency_by_code(ctx: Context, code: str) -> Agency | None:
    return await reference.agency_by_code(ctx.session, code)


async def fields(ctx: Context) -> list[Field]:
    return await reference.all_fields(ctx.session)
