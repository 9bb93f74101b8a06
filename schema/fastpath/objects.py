"""Compiling the selection on one object type into column reads and a dict writer.

A compiled object reads a plain database row (`db.queries.petitions.fetch_page_rows`) by
labelled columns and writes the response dict in selection order, each leaf serialised by
its GraphQL type's own `serialize`, which is what graphql-core calls for the same value.
Only fields whose value is a column, or a resolver reproduced here exactly (global ids,
private text, isOverdue, the to-one relations), compile; anything else raises
`NotCompilable` and the document keeps the general path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import (
    FieldNode,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    SelectionSetNode,
)
from sqlalchemy.orm import ColumnProperty, aliased

from app.domain import OPEN_STATUSES
from db import models
from resolvers.ids import global_id


class NotCompilable(Exception):
    """The document uses something the compiled path does not reproduce."""


class Fallback(Exception):
    """At run time: this request must take the general path (e.g. a null non-null field)."""


LATEST_ANSWER = aliased(models.Answer, name="latest_answer")
"""The petition's most recent answer, joined into the page's statement."""


TABLES: dict[str, Any] = {
    "Petition": models.Petition,
    "Agency": models.Agency,
    "Field": models.Field,
    "Rating": models.Rating,
    "Answer": LATEST_ANSWER,
}
"""Where each compiled type's columns come from (Petition: the page, at run time)."""


@dataclass(frozen=True)
class Source:
    """What a node's writers read: its row of the page's statement, and "now"."""

    row: Any
    now: datetime


Writer = Callable[[Source], Any]


@dataclass
class Reads:
    """The columns one statement must select (label -> column), and the joins it needs."""

    columns: dict[tuple[str, str], None] = field(default_factory=dict)
    """(type name, model attribute), in the order of the rows' columns."""
    joins: set[str] = field(default_factory=set)

    def column(self, type_name: str, attribute: str) -> int:
        """Select the column (once) and return its position in the page's rows."""
        self.columns.setdefault((type_name, attribute), None)
        return list(self.columns).index((type_name, attribute))


def fields_of(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The plain fields of a selection set; fragments and directives do not compile."""
    if selection_set is None:
        raise NotCompilable("a selection set is missing")
    found = []
    for node in selection_set.selections:
        if not isinstance(node, FieldNode) or node.directives:
            raise NotCompilable("fragments and directives keep the general path")
        found.append(node)
    return found


def response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def leaf_writer(gql_type: Any, read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Read a value and serialise it as graphql-core would for a field of `gql_type`."""
    non_null = isinstance(gql_type, GraphQLNonNull)
    serialize = (gql_type.of_type if non_null else gql_type).serialize

    def write(source: Any) -> Any:
        value = read(source)
        if value is None:
            if non_null:
                raise Fallback("a non-null field is null")
            return None
        return serialize(value)

    return write


@dataclass(frozen=True)
class Model:
    """How one GraphQL object type maps onto a table in the page's statement."""

    type_name: str
    table: Any
    plain: dict[str, str]
    """GraphQL field name -> model attribute, for fields with no resolver of their own."""


def plain_fields(strawberry_schema: Any, type_name: str, table: Any) -> dict[str, str]:
    """The type's fields that Strawberry resolves as attributes and that are columns."""
    definition = strawberry_schema.get_type_by_name(type_name)
    converter = strawberry_schema.config.name_converter
    found = {}
    for strawberry_field in definition.fields:
        if strawberry_field.base_resolver is not None:
            continue
        attribute = getattr(table, strawberry_field.python_name, None)
        if attribute is not None and isinstance(
            getattr(attribute, "property", None), ColumnProperty
        ):
            found[converter.get_graphql_name(strawberry_field)] = strawberry_field.python_name
    return found


class ObjectCompiler:
    """Compiles selections on Petition and the objects it reaches in one statement."""

    def __init__(self, strawberry_schema: Any, gql_schema: GraphQLSchema) -> None:
        self.gql = gql_schema
        self.models = {
            name: Model(name, table, plain_fields(strawberry_schema, name, table))
            for name, table in TABLES.items()
        }

    def _object_type(self, name: str) -> GraphQLObjectType:
        found = self.gql.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return found

    def petition(self, selection_set: SelectionSetNode | None, reads: Reads) -> Writer:
        model = self.models["Petition"]
        writers: list[tuple[str, Writer]] = []
        for node in fields_of(selection_set):
            name = node.name.value
            if name in ("agency", "field", "rating", "latestAnswer") and node.arguments:
                raise NotCompilable("arguments on a relation")
            if name == "agency":
                writers.append((response_key(node), self._joined(node, "Agency", reads)))
            elif name == "field":
                writers.append((response_key(node), self._joined(node, "Field", reads)))
            elif name == "rating":
                writers.append((response_key(node), self._joined(node, "Rating", reads)))
            elif name == "latestAnswer":
                writers.append((response_key(node), self._joined(node, "Answer", reads)))
            else:
                writers.append((response_key(node), self._petition_leaf(node, model, reads)))
        return _object_writer(writers)

    def _petition_leaf(self, node: FieldNode, model: Model, reads: Reads) -> Writer:
        name = node.name.value
        if name == "__typename":
            return lambda _source: "Petition"
        gql_field = self._object_type("Petition").fields.get(name)
        if node.selection_set is not None or node.arguments or gql_field is None:
            raise NotCompilable(f"Petition.{name}")
        field_type = gql_field.type
        if name == "id":
            ident = reads.column("Petition", "id")
            return leaf_writer(field_type, lambda s: global_id("Petition", s.row[ident]))
        if name in ("title", "body"):
            private = reads.column("Petition", "is_private")
            text = reads.column("Petition", name)
            return leaf_writer(field_type, lambda s: None if s.row[private] else s.row[text])
        if name == "isOverdue":
            status = reads.column("Petition", "status")
            deadline = reads.column("Petition", "deadline_at")

            def overdue(s: Source) -> bool:
                due = s.row[deadline]
                return s.row[status] in OPEN_STATUSES and due is not None and due < s.now

            return leaf_writer(field_type, overdue)
        attribute = model.plain.get(name)
        if attribute is None:
            raise NotCompilable(f"Petition.{name}")
        index = reads.column("Petition", attribute)
        return leaf_writer(field_type, lambda s: s.row[index])

    def _joined(self, node: FieldNode, type_name: str, reads: Reads) -> Writer:
        model = self.models[type_name]
        reads.joins.add(type_name)
        key_column = "petition_id" if type_name == "Rating" else "id"
        present = reads.column(type_name, key_column)
        write = self._flat(node.selection_set, model, reads)

        def joined(source: Source) -> Any:
            return None if source.row[present] is None else write(source.row)

        return joined

    def _flat(
        self,
        selection_set: SelectionSetNode | None,
        model: Model,
        reads: Reads,
    ) -> Callable[[Any], dict[str, Any]]:
        """A writer for an object whose every selected field is a column of one row."""
        gql_type = self._object_type(model.type_name)
        writers: list[tuple[str, Callable[[Any], Any]]] = []
        for node in fields_of(selection_set):
            name = node.name.value
            if name == "__typename":
                type_name = model.type_name
                writers.append((response_key(node), lambda _row, t=type_name: t))
                continue
            if node.selection_set is not None or node.arguments or name not in gql_type.fields:
                raise NotCompilable(f"{model.type_name}.{name}")
            field_type = gql_type.fields[name].type
            if name == "id":
                index = reads.column(model.type_name, "id")
                type_name = model.type_name
                read = _row_reader(index, lambda v, t=type_name: global_id(t, v))
            elif name in model.plain:
                attribute = model.plain[name]
                index = reads.column(model.type_name, attribute)
                read = _row_reader(index)
            else:
                raise NotCompilable(f"{model.type_name}.{name}")
            writers.append((response_key(node), leaf_writer(field_type, read)))

        def write(row: Any) -> dict[str, Any]:
            return {key: writer(row) for key, writer in writers}

        return write


def _row_reader(index: int, convert: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    if convert is None:
        return lambda row: row[index]
    return lambda row: None if row[index] is None else convert(row[index])


def _object_writer(writers: list[tuple[str, Writer]]) -> Writer:
    def write(source: Source) -> dict[str, Any]:
        return {key: writer(source) for key, writer in writers}

    return write
