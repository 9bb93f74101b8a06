"""The public petition list: filters, keyset pages, counts and batched lookups."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    column,
    func,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.domain.vocabulary import OPEN_STATUS_VALUES
from db.models import Agency, Answer, Attachment, Field, Petition, PetitionerContact, Rating
from db.queries.codes import lookup_code
from db.queries.keyset import Ordering, SortKey
from db.queries.search import matches_search

ORDER_COLUMNS = {
    "SUBMITTED_AT": (Petition.submitted_at, False),
    "DEADLINE_AT": (Petition.deadline_at, True),
    "ANSWERED_AT": (Petition.answered_at, True),
}


@dataclass(frozen=True)
class PetitionCriteria:
    """Conditions on the public petition list; every given condition must hold."""

    statuses: Sequence[str] = ()
    agency_ids: Sequence[int] | None = None
    field_ids: Sequence[int] | None = None
    province_codes: Sequence[str] = ()
    channel: str | None = None
    kind: str | None = None
    intake_channels: Sequence[str] = ()
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    overdue: bool | None = None
    search_terms: Sequence[str] = ()
    now: datetime | None = None


@dataclass(frozen=True)
class PageRequest:
    ordering: Ordering
    limit: int
    after: SortKey | None = None
    backwards: bool = False


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    """Petition objects, or plain rows from `fetch_page_rows`."""
    has_more: bool


@dataclass(frozen=True)
class Related:
    """Which to-one relations to load into the page's own statement."""

    agency: bool = False
    field: bool = False
    rating: bool = False


def ordering(order_field: str, ascending: bool) -> Ordering:
    column, nullable = ORDER_COLUMNS[order_field]
    return Ordering(column, Petition.id, ascending, nullable)


def overdue(now: datetime | BindParameter[Any]) -> ColumnElement[bool]:
    """`app.domain.vocabulary.is_overdue` in SQL, for filters and counts."""
    return and_(Petition.status.in_(OPEN_STATUS_VALUES), Petition.deadline_at < now)


def not_overdue(now: datetime | BindParameter[Any]) -> ColumnElement[bool]:
    return or_(
        Petition.status.not_in(OPEN_STATUS_VALUES),
        Petition.deadline_at.is_(None),
        Petition.deadline_at >= now,
    )


def conditions(flt: PetitionCriteria, dialect: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.statuses:
        where.append(Petition.status.in_(list(flt.statuses)))
    if flt.agency_ids is not None:
        where.append(Petition.agency_id.in_(list(flt.agency_ids)))
    if flt.field_ids is not None:
        where.append(Petition.field_id.in_(list(flt.field_ids)))
    if flt.province_codes:
        where.append(Petition.province_code.in_(list(flt.province_codes)))
    if flt.channel:
        where.append(Petition.channel == flt.channel)
    if flt.intake_channels:
        where.append(Petition.intake_channel.in_(list(flt.intake_channels)))
    if flt.kind:
        where.append(Petition.kind == flt.kind)
    if flt.submitted_from:
        where.append(Petition.submitted_at >= flt.submitted_from)
    if flt.submitted_to:
        where.append(Petition.submitted_at < flt.submitted_to)
    if flt.overdue is not None and flt.now is not None:
        where.append(overdue(flt.now) if flt.overdue else not_overdue(flt.now))
    if flt.search_terms:
        where.append(matches_search(dialect, list(flt.search_terms)))
    return where


def _with_related(statement: Select[tuple[Petition]], related: Related) -> Select[tuple[Petition]]:
    if related.agency:
        statement = statement.options(joinedload(Petition.agency))
    if related.field:
        statement = statement.options(joinedload(Petition.field))
    if related.rating:
        statement = statement.options(joinedload(Petition.rating))
    return statement


def _page_statement(
    flt: PetitionCriteria, page: PageRequest, dialect: str, *where: ColumnElement[bool]
) -> Select[tuple[Petition]]:
    """The rows of one page plus one more (which tells whether more lie beyond)."""
    order = page.ordering.reversed() if page.backwards else page.ordering
    nulls_last = not page.backwards
    statement = select(Petition).where(*conditions(flt, dialect), *where)
    if page.after is not None:
        statement = statement.where(order.after(page.after, nulls_last=nulls_last))
    return statement.order_by(*order.order_by(nulls_last=nulls_last)).limit(page.limit + 1)


def _as_page(rows: list[Any], page: PageRequest) -> Page:
    """Cut rows (in reading order, one more than a page at most) down to the page."""
    has_more = len(rows) > page.limit
    if has_more:
        rows = rows[1:] if page.backwards else rows[: page.limit]
    return Page(rows, has_more)


async def fetch_page(
    session: AsyncSession, flt: PetitionCriteria, page: PageRequest, related: Related
) -> Page:
    """One keyset page in reading order; `has_more` tells whether rows lie beyond it."""
    statement = _page_statement(flt, page, session.bind.dialect.name)
    rows = list((await session.scalars(_with_related(statement, related))).unique())
    if page.backwards:
        rows.reverse()
    return _as_page(rows, page)


def page_rows_statement(
    dialect: str,
    flt: PetitionCriteria,
    page: PageRequest,
    petition_columns: Sequence[str],
    columns: Callable[[Any], Sequence[ColumnElement[Any]]],
    joins: Callable[[Any], Sequence[tuple[Any, ColumnElement[bool]]]] = lambda _page: (),
    *,
    with_total: bool = False,
) -> Select[Any]:
    """`fetch_page`'s page as plain rows (no ORM objects): the compiled queries' page.

    The page is cut first, a limited subquery on the keyset holding `petition_columns`,
    then the to-one tables that `joins` names are outer-joined to its rows only; `columns`
    and `joins` receive the subquery's columns (`.c`). Each row ends with the sort column
    and the petition id. Run it with `fetch_page_rows`.

    `with_total` (only for a page without a cursor, whose rows are cut from every match)
    adds, before those two, the number of matching petitions, counted over the rows
    before the cut: a search's count and page then read its matches once, not twice.
    """
    if with_total and page.after is not None:
        raise ValueError("a page after a cursor sees only part of the matches")
    order = page.ordering.reversed() if page.backwards else page.ordering
    wanted = dict.fromkeys([*petition_columns, order.column.key, "id"])
    selected: list[Any] = [getattr(Petition, name) for name in wanted]
    if with_total:
        selected.append(func.count().over().label("total"))
    cut = _page_statement(flt, page, dialect).with_only_columns(*selected).subquery("page")
    order = Ordering(cut.c[order.column.key], cut.c.id, order.ascending, order.nullable)
    total = [cut.c.total] if with_total else []
    statement = select(*columns(cut.c), *total, order.column, cut.c.id).select_from(cut)
    for table, on in joins(cut.c):
        statement = statement.outerjoin(table, on)
    return statement.order_by(*order.order_by(nulls_last=not page.backwards))


@dataclass(frozen=True)
class LiteralPage:
    """A page statement as SQL without parameters, and how to read its columns."""

    sql: str
    processors: tuple[Callable[[Any], Any] | None, ...]
    """Each column's result processing, as SQLAlchemy would apply it (e.g. Instant's)."""


def literal_page(statement: Select[Any], dialect: Any) -> Any:
    """The statement with its values written into the SQL.

    A statement without parameters is planned once per connection by PostgreSQL (a
    prepared statement's plan is reused); with parameters it is planned on every run
    (1.5 ms for W1), since its generic plan cannot use the LIMIT. On PostgreSQL the result
    is a `LiteralPage` that `fetch_page_rows` runs on the driver directly; elsewhere a
    typed text statement. Only for values the caller has checked: never for free text.
    """
    try:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception:  # a value SQLAlchemy cannot write as a literal: keep the parameters
        return statement
    types = [c.type for c in statement.selected_columns]
    if dialect.name == "postgresql":
        return LiteralPage(sql, tuple(t._cached_result_processor(dialect, None) for t in types))
    return text(sql).columns(*(column(f"c{i}", t) for i, t in enumerate(types)))


async def fetch_page_rows(session: AsyncSession, statement: Any, page: PageRequest) -> Page:
    """Run a `page_rows_statement` (or its `literal_page`) for `page`.

    A `LiteralPage` goes to asyncpg itself: no SQLAlchemy execution context, and no
    transaction of its own (a single read needs none), so no BEGIN and ROLLBACK round
    trips; inside a transaction the session already began, it runs in that transaction.
    """
    connection = await session.connection()
    if isinstance(statement, LiteralPage):
        sync = connection.sync_connection
        assert sync is not None
        # the statement bypasses SQLAlchemy's cursor: announce it to the engine's
        # listeners (statement logs and counts) as any other
        sync.dispatch.before_cursor_execute(sync, None, statement.sql, (), None, False)
        raw = await connection.get_raw_connection()
        records = await raw.driver_connection.fetch(statement.sql)  # type: ignore[union-attr]
        processed = [(i, p) for i, p in enumerate(statement.processors) if p is not None]
        rows: list[Any] = []
        for record in records:
            row = list(record)
            for i, process in processed:
                row[i] = process(row[i])
            rows.append(row)
    else:
        rows = list(await connection.execute(statement))
    if page.backwards:
        rows.reverse()
    return _as_page(rows, page)


async def fetch_pages_by_agency(
    session: AsyncSession,
    flt: PetitionCriteria,
    page: PageRequest,
    related: Related,
    agency_ids: Sequence[int],
) -> dict[int, Page]:
    """The same page for each agency, in two statements whatever the number of agencies.

    The first is a UNION ALL of one index-ordered, limited select per agency; the second
    loads the chosen rows with their joined relations.
    """
    dialect = session.bind.dialect.name
    parts = [
        select(
            _page_statement(flt, page, dialect, Petition.agency_id == agency_id)
            .with_only_columns(Petition.id)
            .subquery()
        )
        for agency_id in agency_ids
    ]
    ids = list(await session.scalars(union_all(*parts)))
    grouped: dict[int, list[Petition]] = {agency_id: [] for agency_id in agency_ids}
    if ids:
        statement = _with_related(select(Petition).where(Petition.id.in_(ids)), related)
        for row in (await session.scalars(statement)).unique():
            grouped[row.agency_id].append(row)  # type: ignore[index]
    return {
        agency_id: _as_page(page.ordering.sort(rows, key=lambda r: r.id), page)
        for agency_id, rows in grouped.items()
    }


async def counts_by_agency(
    session: AsyncSession, flt: PetitionCriteria, agency_ids: Sequence[int]
) -> dict[int, int]:
    statement = (
        select(Petition.agency_id, func.count())
        .where(*conditions(flt, session.bind.dialect.name))
        .where(Petition.agency_id.in_(list(agency_ids)))
        .group_by(Petition.agency_id)
    )
    found = {agency_id: int(n) for agency_id, n in (await session.execute(statement)).all()}
    return {agency_id: found.get(agency_id, 0) for agency_id in agency_ids}


async def count(session: AsyncSession, flt: PetitionCriteria) -> int:
    dialect = session.bind.dialect.name
    statement = select(func.count()).select_from(Petition).where(*conditions(flt, dialect))
    return int(await session.scalar(statement) or 0)


async def by_tracking_code(
    session: AsyncSession, tracking_code: str, related: Related
) -> Petition | None:
    """The petition a client named by its tracking code, however spaced and cased."""
    code = lookup_code(tracking_code)
    if code is None:
        return None
    statement = select(Petition).where(Petition.tracking_code == code)
    return (await session.scalars(_with_related(statement, related))).unique().first()


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Petition]:
    rows = await session.scalars(select(Petition).where(Petition.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def agencies_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Agency]:
    rows = await session.scalars(select(Agency).where(Agency.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def fields_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Field]:
    rows = await session.scalars(select(Field).where(Field.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def answers_by_petition(
    session: AsyncSession, petition_ids: Sequence[int]
) -> dict[int, list[Answer]]:
    statement = (
        select(Answer)
        .options(joinedload(Answer.agency))
        .where(Answer.petition_id.in_(list(petition_ids)))
        .order_by(Answer.petition_id, Answer.id)
    )
    grouped: dict[int, list[Answer]] = {pid: [] for pid in petition_ids}
    for answer in await session.scalars(statement):
        grouped[answer.petition_id].append(answer)
    return grouped


async def petition_attachments(
    session: AsyncSession, petition_ids: Sequence[int]
) -> dict[int, list[Attachment]]:
    """The petitioners' own attachments of each petition (not its answers'), in order."""
    statement = (
        select(Attachment)
        .where(Attachment.petition_id.in_(list(petition_ids)), Attachment.answer_id.is_(None))
        .order_by(Attachment.petition_id, Attachment.position)
    )
    grouped: dict[int, list[Attachment]] = {pid: [] for pid in petition_ids}
    for attachment in await session.scalars(statement):
        grouped[attachment.petition_id].append(attachment)
    return grouped


async def answer_attachments(
    session: AsyncSession, answer_ids: Sequence[int]
) -> dict[int, list[Attachment]]:
    """Each answer's attachments (public, sealed with it), in order."""
    statement = (
        select(Attachment)
        .where(Attachment.answer_id.in_(list(answer_ids)))
        .order_by(Attachment.answer_id, Attachment.position)
    )
    grouped: dict[int, list[Attachment]] = {aid: [] for aid in answer_ids}
    for attachment in await session.scalars(statement):
        grouped[attachment.answer_id or 0].append(attachment)
    return grouped


async def answers_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Answer]:
    rows = await session.scalars(select(Answer).where(Answer.id.in_(list(ids))))
    return {row.id: row for row in rows}


async def ratings_by_petition(
    session: AsyncSession, petition_ids: Sequence[int]
) -> dict[int, Rating]:
    rows = await session.scalars(select(Rating).where(Rating.petition_id.in_(list(petition_ids))))
    return {row.petition_id: row for row in rows}


async def contacts_by_petition(
    session: AsyncSession, petition_ids: Sequence[int]
) -> dict[int, PetitionerContact]:
    """Personal data: callers must have checked who may see it."""
    statement = select(PetitionerContact).where(
        PetitionerContact.petition_id.in_(list(petition_ids))
    )
    return {row.petition_id: row for row in await session.scalars(statement)}
