"""The SQL of the compiled path (`schema.fastpath`): statements that read exactly the
columns one compiled document selects, built once per document.

The compiler describes what its writers read as a `RowLayout`: the (table, attribute)
pairs of a row in order, and the to-one relations to join. Three queries read such rows:

- `PetitionPageQuery`: a page of the public petition list (`db.queries.petitions`' keyset
  page as plain rows, `page_rows_statement`), its statements cached per document;
- `PetitionByCodeQuery`: one petition by its tracking code;
- `PublicEventPageQuery`: a page of one petition's public events.

Nothing here knows GraphQL: tables are named as the models are (`TABLES`), and rows are
plain tuples whose positions the layout gives.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ColumnProperty, aliased

from db import models
from db.queries.codes import lookup_code
from db.queries.petitions import (
    Page,
    PageRequest,
    PetitionCriteria,
    count,
    fetch_page_rows,
    literal_page,
    page_rows_statement,
)

LATEST_ANSWER = aliased(models.Answer, name="latest_answer")
"""The petition's most recent answer, joined into the page's statement."""

TABLES: dict[str, Any] = {
    "Petition": models.Petition,
    "Agency": models.Agency,
    "Field": models.Field,
    "Rating": models.Rating,
    "Answer": LATEST_ANSWER,
    "PetitionEvent": models.PetitionEvent,
}
"""The tables a compiled row reads, by model name ("Answer" is the latest answer)."""

_KEY_ATTRIBUTES = {"Rating": "petition_id"}
"""Tables whose key is not `id` (a rating's is its petition's)."""


def is_column(table: str, attribute: str) -> bool:
    """Whether `attribute` of `TABLES[table]` is a plain column (not a relation or a
    Python property), so that a row can read it."""
    found = getattr(TABLES[table], attribute, None)
    return found is not None and isinstance(getattr(found, "property", None), ColumnProperty)


def key_attribute(table: str) -> str:
    """The table's key: null in a row when the outer join to that table found nothing."""
    return _KEY_ATTRIBUTES.get(table, "id")


@dataclass
class RowLayout:
    """The columns one statement selects, in the order of its rows, and its joins."""

    columns: dict[tuple[str, str], None] = field(default_factory=dict)
    """(table, attribute), in the order of the rows' columns."""
    joins: set[str] = field(default_factory=set)
    """The to-one tables joined to the petition: Agency, Field, Rating, Answer."""

    def position(self, table: str, attribute: str) -> int:
        """Select the column (once) and return its position in the rows."""
        self.columns.setdefault((table, attribute), None)
        return list(self.columns).index((table, attribute))

    def attributes(self, table: str) -> list[str]:
        """The attributes of `table` the rows read, in order."""
        return [attribute for name, attribute in self.columns if name == table]


_JOINS: dict[str, Callable[[Any], tuple[Any, ColumnElement[bool]]]] = {
    "Agency": lambda page: (models.Agency, models.Agency.id == page.agency_id),
    "Field": lambda page: (models.Field, models.Field.id == page.field_id),
    "Rating": lambda page: (models.Rating, models.Rating.petition_id == page.id),
    "Answer": lambda page: (
        LATEST_ANSWER,
        LATEST_ANSWER.id
        == select(func.max(models.Answer.id))
        .where(models.Answer.petition_id == page.id)
        .scalar_subquery(),
    ),
}
"""The to-one relations of a petition's rows, outer-joined; the latest answer is the one
with the highest id, as `Petition.latestAnswer` (the last answer in id order) has it."""

_JOIN_KEYS = {"Agency": "agency_id", "Field": "field_id"}
"""The petition's columns that the joins above read (Rating and Answer join on its id)."""


def _petition_columns(layout: RowLayout) -> list[str]:
    """The petition's own columns a statement selects: those read, and the keys of the
    relations joined to it."""
    return [
        *layout.attributes("Petition"),
        *(_JOIN_KEYS[name] for name in sorted(layout.joins) if name in _JOIN_KEYS),
    ]


def _selected_columns(layout: RowLayout, petition: Any) -> list[Any]:
    """The columns read, in the layout's order, the petition's from `petition` (a
    subquery's `.c`)."""
    return [
        petition[attribute] if table == "Petition" else getattr(TABLES[table], attribute)
        for table, attribute in layout.columns
    ]


def _joins(layout: RowLayout, petition: Any) -> list[tuple[Any, ColumnElement[bool]]]:
    return [_JOINS[name](petition) for name in sorted(layout.joins)]


INLINABLE = frozenset(
    {"statuses", "agency_ids", "field_ids", "province_codes", "channel", "kind"}
    | {"submitted_from", "submitted_to"}
)
"""Criteria whose values pakn has checked (enum values, ids of known codes, known
province codes, instants) and may write into SQL. Any other criterion set (free text,
"now") keeps the page's statement parameterised and uncached."""


def cacheable(criteria: PetitionCriteria) -> bool:
    """Whether a page under `criteria` may be written as literal SQL and cached."""
    return all(
        getattr(criteria, f.name) in (None, ())
        for f in dataclasses.fields(criteria)
        if f.name not in INLINABLE and f.name != "now"
    )


class StatementCache:
    """Page statements of every compiled document, one bounded LRU per process."""

    def __init__(self, capacity: int = 512) -> None:
        self.capacity = capacity
        self._statements: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, build: Callable[[], Any]) -> Any:
        statement = self._statements.get(key)
        if statement is not None:
            self._statements.move_to_end(key)
            return statement
        statement = self._statements[key] = build()
        if len(self._statements) > self.capacity:
            self._statements.popitem(last=False)
        return statement


_TOKENS = itertools.count()


@dataclass(frozen=True)
class PetitionPageQuery:
    """The page of the public petition list that one compiled document reads.

    Each row holds the layout's columns, then (with a search's count) the total, then the
    sort column and the petition id: a cursor reads `row[-2]` and `row[-1]`.
    """

    layout: RowLayout
    statements: StatementCache
    token: int = field(default_factory=lambda: next(_TOKENS))
    """Tells this document's cached statements from another's."""

    async def fetch(
        self,
        session: AsyncSession,
        criteria: PetitionCriteria,
        request: PageRequest,
        order_name: str,
        *,
        counts: bool,
    ) -> tuple[Page, int | None]:
        """The page, and with `counts` the number of petitions matching `criteria`.

        `order_name` names the request's ordering (field and direction) in the key of its
        cached statement."""
        dialect = session.bind.dialect
        if counts and criteria.search_terms and request.after is None:
            # a search's first page: its matches read once for the page and the count
            statement = self._build(dialect.name, criteria, request, with_total=True)
            page = await fetch_page_rows(session, statement, request)
            return page, (page.rows[0][-3] if page.rows else 0)
        statement = self._statement(dialect, criteria, request, order_name)
        page = await fetch_page_rows(session, statement, request)
        return page, (await count(session, criteria) if counts else None)

    def _statement(
        self, dialect: Any, criteria: PetitionCriteria, request: PageRequest, order_name: str
    ) -> Any:
        """The page's statement, from the cache when the same page was asked for before
        (pollers ask for the same newest page again and again). Pages whose criteria hold
        anything but checked values (free text, the overdue filter's "now") are built each
        time and keep their parameters."""
        if not cacheable(criteria):
            return self._build(dialect.name, criteria, request)
        after = request.after
        key = (
            self.token,
            dataclasses.replace(criteria, now=None),
            order_name,
            request.limit,
            request.backwards,
            None if after is None else (after.value, after.id),
        )
        return self.statements.get(
            key, lambda: literal_page(self._build(dialect.name, criteria, request), dialect)
        )

    def _build(
        self,
        dialect: str,
        criteria: PetitionCriteria,
        request: PageRequest,
        *,
        with_total: bool = False,
    ) -> Select[Any]:
        layout = self.layout
        return page_rows_statement(
            dialect,
            criteria,
            request,
            _petition_columns(layout),
            lambda page: _selected_columns(layout, page),
            lambda page: _joins(layout, page),
            with_total=with_total,
        )


class PetitionByCodeQuery:
    """One petition by its tracking code, its row the layout's columns and then its id."""

    def __init__(self, layout: RowLayout) -> None:
        wanted = dict.fromkeys([*_petition_columns(layout), "id"])
        cut = (
            select(*(getattr(models.Petition, name) for name in wanted))
            .where(models.Petition.tracking_code == bindparam("tracking_code"))
            .subquery("page")
        )
        statement = select(*_selected_columns(layout, cut.c), cut.c.id).select_from(cut)
        for table, on in _joins(layout, cut.c):
            statement = statement.outerjoin(table, on)
        self.statement = statement

    async def fetch(self, session: AsyncSession, tracking_code: str) -> Row[Any] | None:
        """The petition a client named by its tracking code, however spaced and cased."""
        code = lookup_code(tracking_code)
        if code is None:
            return None
        values = {"tracking_code": code}
        rows = (await session.execute(self.statement, values)).all()
        return rows[0] if rows else None


class PublicEventPageQuery:
    """A page of one petition's public events, oldest first, reading `attributes` of each
    (`db.queries.events.pages_by_petition`'s page for one petition, public only)."""

    def __init__(self, attributes: Sequence[str]) -> None:
        event = models.PetitionEvent
        first = (
            select(*(getattr(event, name) for name in attributes))
            .where(event.petition_id == bindparam("petition_id"), event.is_public.is_(True))
            .order_by(event.id)
            .limit(bindparam("limit", type_=Integer))
        )
        self._first = first
        self._after = first.where(event.id > bindparam("after_id"))

    async def fetch(
        self, session: AsyncSession, petition_id: int, *, limit: int, after_id: int | None
    ) -> list[Row[Any]]:
        """Up to `limit` events after the event `after_id` (from the first without)."""
        statement = self._first if after_id is None else self._after
        values = {"petition_id": petition_id, "limit": limit, "after_id": after_id}
        return list(await session.execute(statement, values))
