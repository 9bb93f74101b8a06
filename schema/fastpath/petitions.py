"""The compiled `petitions` connection: arguments as the resolver takes them, one page
statement with the selected columns, the to-one relations and the latest answer joined to
its rows, one more statement for `totalCount`, and the response written from the rows."""

from __future__ import annotations

import dataclasses
import itertools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLObjectType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values
from sqlalchemy import func, select
from strawberry.types.arguments import convert_arguments

from db import models
from db.queries import petitions as queries
from db.queries.petitions import PageRequest, PetitionCriteria
from resolvers.context import Context
from resolvers.ids import encode_sort_cursor
from resolvers.pagination import connection
from resolvers.petitions import page_query
from schema.fastpath.connections import Part, connection_parts
from schema.fastpath.objects import (
    LATEST_ANSWER,
    TABLES,
    ObjectCompiler,
    Reads,
)
from schema.inputs import ordering_of

JOINS: dict[str, Callable[[Any], tuple[Any, Any]]] = {
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
"""The to-one relations of a page's rows, outer-joined; the latest answer is the one with
the highest id, as `Petition.latestAnswer` (the last answer in id order) has it."""

INLINABLE = frozenset(
    {"statuses", "agency_ids", "field_ids", "province_codes", "channel", "kind"}
    | {"submitted_from", "submitted_to"}
)
"""Filter fields whose values pakn has checked (enum values, ids of known codes, known
province codes, instants) and may write into SQL. Any other field set (free text, "now")
keeps the page's statement parameterised and uncached."""


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


def cacheable(flt: PetitionCriteria) -> bool:
    return all(
        getattr(flt, f.name) in (None, ())
        for f in dataclasses.fields(flt)
        if f.name not in INLINABLE and f.name != "now"
    )


@dataclass(frozen=True)
class CompiledPetitions:
    field_node: FieldNode
    reads: Reads
    parts: list[tuple[str, Part]]
    counts: bool
    edge_cursors: bool
    statements: StatementCache
    token: int = field(default_factory=lambda: next(_TOKENS))
    """Tells this document's cached statements from another's."""
    _constant_arguments: list[dict[str, Any]] = field(default_factory=list)
    """The converted arguments, once, when the document writes them without variables."""

    def _arguments(self, compiled: Any, variables: Any) -> dict[str, Any]:
        """The resolver's keyword arguments, as Strawberry converts them. Arguments written
        as literals in the document are the same on every request: converted once."""
        if self._constant_arguments:
            return self._constant_arguments[0]
        raw = get_argument_values(compiled.field_def, self.field_node, variables)
        kwargs = convert_arguments(
            raw, compiled.field.arguments, compiled.scalar_registry, compiled.config
        )
        if not any(_uses_variables(argument.value) for argument in self.field_node.arguments):
            self._constant_arguments.append(kwargs)
        return kwargs

    async def run(self, ctx: Context, compiled: Any, variables: Any) -> Any:
        kwargs = self._arguments(compiled, variables)
        order_field, ascending = ordering_of(kwargs.get("order_by"))
        filter_input = kwargs.get("filter")
        query = await page_query(
            ctx,
            first=kwargs.get("first"),
            after=kwargs.get("after"),
            last=kwargs.get("last"),
            before=kwargs.get("before"),
            filter_args=filter_input.to_args() if filter_input else None,
            order_field=order_field,
            ascending=ascending,
        )
        flt, request = query.flt, query.request
        dialect = ctx.session.bind.dialect
        if self.counts and flt.search_terms and request.after is None:
            # a search's first page: its matches read once for the page and the count
            statement = self._page_statement(dialect.name, flt, request, with_total=True)
            page = await queries.fetch_page_rows(ctx.session, statement, request)
            total = page.rows[0][-3] if page.rows else 0
        else:
            statement = self._statement(dialect, flt, request, query.order_name)
            page = await queries.fetch_page_rows(ctx.session, statement, request)
            total = await queries.count(ctx.session, flt) if self.counts else None

        def cursor_of(row: Any) -> str:
            return encode_sort_cursor(query.order_name, row[-2], row[-1])

        found = connection(
            page.rows,
            cursor_of,
            args=query.args,
            has_more=page.has_more,
            counter=_no_counter,
            edge_cursors=self.edge_cursors,
        )
        return {key: part(found, ctx.now, total) for key, part in self.parts}

    def _statement(
        self, dialect: Any, flt: PetitionCriteria, request: PageRequest, order_name: str
    ) -> Any:
        """The page's statement, from the cache when the same page was asked for before
        (pollers ask for the same newest page again and again). Pages whose filter holds
        anything but checked values (free text, the overdue filter's "now") are built each
        time and keep their parameters."""
        if not cacheable(flt):
            return self._page_statement(dialect.name, flt, request)
        after = request.after
        key = (
            self.token,
            dataclasses.replace(flt, now=None),
            order_name,
            request.limit,
            request.backwards,
            None if after is None else (after.value, after.id),
        )
        return self.statements.get(
            key,
            lambda: queries.literal_page(self._page_statement(dialect.name, flt, request), dialect),
        )

    def _page_statement(
        self, dialect: str, flt: PetitionCriteria, request: PageRequest, *, with_total: bool = False
    ) -> Any:
        reads = self.reads
        return queries.page_rows_statement(
            dialect,
            flt,
            request,
            petition_columns(reads),
            lambda page: selected_columns(reads, page),
            lambda page: joins(reads, page),
            with_total=with_total,
        )


def petition_columns(reads: Reads) -> list[str]:
    """The petition's own columns a statement selects: those read, and the keys of the
    relations joined to it."""
    keys = {"Agency": "agency_id", "Field": "field_id"}
    return [
        *(attribute for type_name, attribute in reads.columns if type_name == "Petition"),
        *(keys[name] for name in sorted(reads.joins) if name in keys),
    ]


def selected_columns(reads: Reads, petition: Any) -> list[Any]:
    """The columns read, in `reads`' order, the petition's from `petition` (a subquery's
    `.c`)."""
    return [
        petition[attribute] if type_name == "Petition" else getattr(TABLES[type_name], attribute)
        for type_name, attribute in reads.columns
    ]


def joins(reads: Reads, petition: Any) -> list[tuple[Any, Any]]:
    return [JOINS[name](petition) for name in sorted(reads.joins)]


def _uses_variables(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_uses_variables(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_uses_variables(item.value) for item in value.fields)
    return False


async def _no_counter() -> int:
    raise AssertionError("the compiled path counts with its own statement")


_TOKENS = itertools.count()


def compile_petitions(
    objects: ObjectCompiler, gql: GraphQLSchema, field_node: FieldNode, cache: StatementCache
) -> CompiledPetitions:
    connection_type = get_named_type(gql.query_type.fields["petitions"].type)  # type: ignore[union-attr]
    assert isinstance(connection_type, GraphQLObjectType)
    reads = Reads()
    shape = connection_parts(
        gql, connection_type, field_node, lambda selection: objects.petition(selection, reads)
    )
    return CompiledPetitions(
        field_node, reads, shape.parts, shape.counts, shape.edge_cursors, cache
    )
