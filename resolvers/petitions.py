"""Petition queries: arguments from the API, checked, turned into database queries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.services import auth, filters
from app.services.filters import FilterArgs, FilterError
from db.models import Petition
from db.queries import petitions as queries
from db.queries.petitions import PageRequest, PetitionCriteria, Related
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.ids import decode_sort_cursor, encode_sort_cursor
from resolvers.loaders import AgencyPageKey
from resolvers.pagination import (
    Connection,
    PageArgs,
    connection,
    page_args,
    selected_node_fields,
)


def related_for(fields: set[str]) -> Related:
    return Related(agency="agency" in fields, field="field" in fields, rating="rating" in fields)


async def criteria_for(ctx: Context, args: FilterArgs | None) -> PetitionCriteria:
    """Check the filter's codes and dates and resolve codes to ids (through the loaders)."""
    loaders = {"agency": ctx.loaders.agency_id_by_code, "field": ctx.loaders.field_id_by_code}

    async def lookup(kind: str, codes: Sequence[str]) -> dict[str, int]:
        ids = await loaders[kind].load_many(list(codes))
        return {code: ident for code, ident in zip(codes, ids, strict=True) if ident is not None}

    try:
        return await filters.criteria_from_args(args, lookup, ctx.now)
    except FilterError as error:
        raise ClientError(error.code, error.message, **error.details) from None


def _as_connection(
    page: queries.Page,
    args: PageArgs,
    request: PageRequest,
    order_name: str,
    counter: Callable[[], Awaitable[int]],
) -> Connection[Petition]:
    column = request.ordering.column.key

    def cursor_of(row: Petition) -> str:
        return encode_sort_cursor(order_name, getattr(row, column), row.id)

    return connection(page.rows, cursor_of, args=args, has_more=page.has_more, counter=counter)


def page_request(args: PageArgs, order_field: str, ascending: bool) -> tuple[PageRequest, str]:
    order_name = f"{order_field}:{'ASC' if ascending else 'DESC'}"
    cursor_key = decode_sort_cursor(args.after, order_name) if args.after else None
    ordering = queries.ordering(order_field, ascending)
    if cursor_key is not None and cursor_key.value is None and not ordering.nullable:
        raise ClientError(
            "INVALID_CURSOR",
            f"Cursor {args.after!r} is not valid here; pass a cursor this list returned, "
            "with the same orderBy.",
        )
    return PageRequest(ordering, args.limit, cursor_key, args.backwards), order_name


@dataclass(frozen=True)
class PageQuery:
    """A page of the petition list, its arguments checked: what to fetch and how to cut it."""

    args: PageArgs
    request: PageRequest
    order_name: str
    flt: PetitionCriteria


async def page_query(
    ctx: Context,
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    filter_args: FilterArgs | None = None,
    order_field: str = "SUBMITTED_AT",
    ascending: bool = False,
) -> PageQuery:
    """Check `Query.petitions`' arguments (for the general and the compiled path alike)."""
    args = page_args(first, after, last, before)
    request, order_name = page_request(args, order_field, ascending)
    return PageQuery(args, request, order_name, await criteria_for(ctx, filter_args))


async def petition_connection(
    ctx: Context,
    selection: Any,
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    filter_args: FilterArgs | None = None,
    order_field: str = "SUBMITTED_AT",
    ascending: bool = False,
) -> Connection[Petition]:
    query = await page_query(
        ctx,
        first=first,
        after=after,
        last=last,
        before=before,
        filter_args=filter_args,
        order_field=order_field,
        ascending=ascending,
    )
    related = related_for(selected_node_fields(selection))
    page = await queries.fetch_page(ctx.session, query.flt, query.request, related)

    async def counter() -> int:
        return await queries.count(ctx.session, query.flt)

    return _as_connection(page, query.args, query.request, query.order_name, counter)


async def agency_petition_connection(
    ctx: Context,
    selection: Any,
    agency_id: int,
    *,
    first: int | None,
    after: str | None,
    filter_args: FilterArgs | None = None,
) -> Connection[Petition]:
    """An agency's petitions, newest first; batched across a list of agencies."""
    args = page_args(first, after)
    request, order_name = page_request(args, "SUBMITTED_AT", ascending=False)
    flt = await criteria_for(ctx, filter_args)
    related = related_for(selected_node_fields(selection))
    page = await ctx.loaders.agency_page.load(AgencyPageKey(agency_id, flt, request, related))

    async def counter() -> int:
        return await ctx.loaders.agency_count.load((agency_id, flt))

    return _as_connection(page, args, request, order_name, counter)


async def petition_by_tracking_code(
    ctx: Context, tracking_code: str, selection: Any
) -> Petition | None:
    fields = {f.name for f in getattr(selection, "selections", [])}
    return await queries.by_tracking_code(ctx.session, tracking_code, related_for(fields))


async def petition_for_petitioner(ctx: Context, tracking_code: str, secret: str) -> Petition | None:
    ctx.refuse_secret_over_get()
    petition = await auth.petition_of_petitioner(ctx.session, tracking_code, secret)
    if petition is not None:
        ctx.petitioner_of.add(petition.id)
    return petition
