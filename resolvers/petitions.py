"""Petition queries: arguments from the API, checked, turned into database queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.reference import province_codes
from app.text import normalize, search_terms
from db.models import Petition
from db.queries import petitions as queries
from db.queries import reference
from db.queries.petitions import PageRequest, PetitionFilter, Related
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.ids import decode_sort_cursor, encode_sort_cursor
from resolvers.pagination import Connection, connection, page_args, selected_node_fields

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


def _check_size(kind: str, codes: Sequence[str] | None) -> None:
    if codes is not None and len(codes) > MAX_FILTER_CODES:
        raise ClientError(
            "FILTER_TOO_LARGE", f"At most {MAX_FILTER_CODES} {kind} codes may be given."
        )


async def build_filter(ctx: Context, args: FilterArgs | None, **fixed: Any) -> PetitionFilter:
    """Check the filter's codes and dates and resolve codes to ids."""
    args = args or FilterArgs()
    for kind, codes in (
        ("agency", args.agency_codes),
        ("field", args.field_codes),
        ("province", args.province_codes),
    ):
        _check_size(kind, codes)
    agency_ids = None
    if args.agency_codes is not None:
        found = await reference.agencies_by_codes(ctx.session, args.agency_codes)
        _check_codes("agency", args.agency_codes, set(found))
        agency_ids = list(found.values())
    field_ids = None
    if args.field_codes is not None:
        found = await reference.fields_by_codes(ctx.session, args.field_codes)
        _check_codes("field", args.field_codes, set(found))
        field_ids = list(found.values())
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
    flt = PetitionFilter(
        statuses=list(args.statuses or ()),
        agency_ids=agency_ids,
        field_ids=field_ids,
        province_codes=list(args.province_codes or ()),
        channel=args.channel,
        kind=args.kind,
        submitted_from=args.submitted_from,
        submitted_to=args.submitted_to,
        overdue=args.overdue,
        search_terms=terms,
        now=ctx.now,
    )
    if fixed:
        flt = PetitionFilter(**{**flt.__dict__, **fixed})
    return flt


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
    **fixed: Any,
) -> Connection[Petition]:
    args = page_args(first, after, last, before)
    order_name = f"{order_field}:{'ASC' if ascending else 'DESC'}"
    cursor_key = decode_sort_cursor(args.after, order_name) if args.after else None
    flt = await build_filter(ctx, filter_args, **fixed)
    ordering = queries.ordering(order_field, ascending)
    request = PageRequest(ordering, args.limit, cursor_key, args.backwards)
    related = related_for(selected_node_fields(selection))
    page = await queries.fetch_page(ctx.session, flt, request, related)
    column = ordering.column.key

    def cursor_of(row: Petition) -> str:
        return encode_sort_cursor(order_name, getattr(row, column), row.id)

    async def counter() -> int:
        return await queries.count(ctx.session, flt)

    return connection(page.rows, cursor_of, args=args, has_more=page.has_more, counter=counter)


async def petition_by_tracking_code(
    ctx: Context, tracking_code: str, selection: Any
) -> Petition | None:
    fields = {f.name for f in getattr(selection, "selections", [])}
    return await queries.by_tracking_code(
        ctx.session, tracking_code.strip().upper(), related_for(fields)
    )
