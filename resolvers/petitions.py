"""Petition queries: arguments from the API, checked, turned into database queries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiodataloader import DataLoader

from app.reference import province_codes
from app.secrets import secret_matches
from app.text import normalize, search_terms
from db.models import Petition
from db.queries import petitions as queries
from db.queries.petitions import PageRequest, PetitionFilter, Related
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

MAX_SEARCH_TERMS = 12
MAX_FILTER_CODES = 100


@dataclass(frozen=True)
class FilterArgs:
    """The API's PetitionFilter, as plain values (enums already turned into their names)."""

    statuses: Sequence[str] | None = None
    agency_codes: Sequence[str] | None = None
    field_codes: Sequence[str] | None = None
    province_codes: Sequence[str] | None = None
    channel: str | None = None
    kind: str | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    overdue: bool | None = None
    search: str | None = None


def related_for(fields: set[str]) -> Related:
    return Related(agency="agency" in fields, field="field" in fields, rating="rating" in fields)


def _check_codes(kind: str, codes: Sequence[str], known: set[str] | frozenset[str]) -> None:
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ClientError(
            "UNKNOWN_CODE",
            f"Unknown {kind} code(s): {', '.join(unknown)}.",
            argument=kind,
            codes=unknown,
        )


async def _ids_of_codes(
    kind: str, codes: Sequence[str] | None, loader: DataLoader[str, int | None]
) -> tuple[int, ...] | None:
    if codes is None:
        return None
    ids = await loader.load_many(list(codes))
    known = {code for code, ident in zip(codes, ids, strict=True) if ident is not None}
    _check_codes(kind, codes, known)
    return tuple(ident for ident in ids if ident is not None)


def _check_size(kind: str, codes: Sequence[str] | None) -> None:
    if codes is not None and len(codes) > MAX_FILTER_CODES:
        raise ClientError(
            "FILTER_TOO_LARGE", f"At most {MAX_FILTER_CODES} {kind} codes may be given."
        )


async def build_filter(ctx: Context, args: FilterArgs | None) -> PetitionFilter:
    """Check the filter's codes and dates and resolve codes to ids."""
    args = args or FilterArgs()
    for kind, codes in (
        ("agency", args.agency_codes),
        ("field", args.field_codes),
        ("province", args.province_codes),
    ):
        _check_size(kind, codes)
    agency_ids = await _ids_of_codes("agency", args.agency_codes, ctx.loaders.agency_id_by_code)
    field_ids = await _ids_of_codes("field", args.field_codes, ctx.loaders.field_id_by_code)
    if args.province_codes:
        _check_codes("province", args.province_codes, province_codes())
    if args.submitted_from and args.submitted_to and args.submitted_from > args.submitted_to:
        raise ClientError("INVALID_DATE_RANGE", "`submittedFrom` is after `submittedTo`.")
    terms: list[str] = []
    if args.search is not None:
        terms = search_terms(normalize(args.search))[:MAX_SEARCH_TERMS]
        if not terms:
            raise ClientError(
                "INVALID_SEARCH", "`search` needs at least one letter or digit to look for."
            )
    return PetitionFilter(
        statuses=tuple(args.statuses or ()),
        agency_ids=agency_ids,
        field_ids=field_ids,
        province_codes=tuple(args.province_codes or ()),
        channel=args.channel,
        kind=args.kind,
        submitted_from=args.submitted_from,
        submitted_to=args.submitted_to,
        overdue=args.overdue,
        search_terms=tuple(terms),
        now=ctx.now,
    )


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


def _page_request(args: PageArgs, order_field: str, ascending: bool) -> tuple[PageRequest, str]:
    order_name = f"{order_field}:{'ASC' if ascending else 'DESC'}"
    cursor_key = decode_sort_cursor(args.after, order_name) if args.after else None
    ordering = queries.ordering(order_field, ascending)
    return PageRequest(ordering, args.limit, cursor_key, args.backwards), order_name


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
    args = page_args(first, after, last, before)
    request, order_name = _page_request(args, order_field, ascending)
    flt = await build_filter(ctx, filter_args)
    related = related_for(selected_node_fields(selection))
    page = await queries.fetch_page(ctx.session, flt, request, related)

    async def counter() -> int:
        return await queries.count(ctx.session, flt)

    return _as_connection(page, args, request, order_name, counter)


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
    request, order_name = _page_request(args, "SUBMITTED_AT", ascending=False)
    flt = await build_filter(ctx, filter_args)
    related = related_for(selected_node_fields(selection))
    page = await ctx.loaders.agency_page.load(AgencyPageKey(agency_id, flt, request, related))

    async def counter() -> int:
        return await ctx.loaders.agency_count.load((agency_id, flt))

    return _as_connection(page, args, request, order_name, counter)


async def petition_by_tracking_code(
    ctx: Context, tracking_code: str, selection: Any
) -> Petition | None:
    fields = {f.name for f in getattr(selection, "selections", [])}
    return await queries.by_tracking_code(
        ctx.session, tracking_code.strip().upper(), related_for(fields)
    )


async def petition_for_petitioner(ctx: Context, tracking_code: str, secret: str) -> Petition | None:
    petition = await queries.by_tracking_code(ctx.session, tracking_code.strip().upper(), Related())
    if (
        petition is None
        or not petition.secret_hash
        or not secret_matches(secret, petition.secret_hash)
    ):
        return None
    ctx.petitioner_of.add(petition.id)
    return petition
