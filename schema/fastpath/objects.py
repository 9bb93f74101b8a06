"""Compiling the selection on one object type into column reads and a dict writer.

A compiled object reads a plain database row (a `db.queries.compiled` query's) by
column position and writes the response dict in selection order, each leaf serialised by
its GraphQL type's own `serialize`, which is what graphql-core calls for the same value.
Only fields whose value is a column, or a resolver reproduced here exactly (global ids,
private text, isOverdue, the to-one relations), compile; anything else raises
`NotCompilable` and the document keeps the general path.

The compiled path serves only anonymous readers, so a private petition's free text (its
title, body and featured note, its latest answer's body, its rating's comment, its events'
notes) is written as `app.domain.visibility.public_text` has the public see it: null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLID,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    SelectionSetNode,
)

from app.domain.visibility import public_text
from app.domain.vocabulary import is_overdue
from db.queries.compiled import TABLES, RowLayout, is_column, key_attribute
from resolvers.history import cursor_for_event_id
from resolvers.ids import global_id


class NotCompilable(Exception):
    """The document uses something the compiled path does not reproduce."""


class Fallback(Exception):
    """At run time: this request must take the general path (e.g. a null non-null field)."""


@dataclass(frozen=True)
class Source:
    """What a node's writers read: its row of the page's statement, and "now"."""

    row: Any
    now: datetime
    extra: Any = None
    """What a computed field fetched for this node alone (a petition's page of events)."""


Writer = Callable[[Source], Any]


def fields_of(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The plain fields of a selection set; fragments and directives do not compile."""
    if selection_set is None:
        raise NotCompilable("a selection set is missing")
    found = []
    for node in selection_set.selections:
        if not isinstance(node, FieldNode) or node.directives:
            raise NotCompilable("fragments and directives keep the general path")
        found.append(node)
    if len({response_key(node) for node in found}) < len(found):
        raise NotCompilable("a response key selected twice (graphql-core merges them)")
    return found


def response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def serializer(gql_type: Any) -> tuple[Callable[[Any], Any], bool]:
    """The leaf type's own `serialize` (as graphql-core calls it), and whether it is non-null.

    An enum's is remembered per value: an enum has few values, and Strawberry's `serialize`
    looks the value up among them on every call."""
    non_null = isinstance(gql_type, GraphQLNonNull)
    named = gql_type.of_type if non_null else gql_type
    if isinstance(named, GraphQLEnumType):
        return _remembered(named.serialize), non_null
    return named.serialize, non_null


def _remembered(serialize: Callable[[Any], Any]) -> Callable[[Any], Any]:
    known: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return known[value]
        except (KeyError, TypeError):
            result = serialize(value)
            if len(known) < 64:
                try:
                    known[value] = result
                except TypeError:
                    pass
            return result

    return remembered


def leaf_writer(gql_type: Any, read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Read a value and serialise it as graphql-core would for a field of `gql_type`."""
    serialize, non_null = serializer(gql_type)

    def write(source: Any) -> Any:
        value = read(source)
        if value is None:
            if non_null:
                raise Fallback("a non-null field is null")
            return None
        return serialize(value)

    return write


def plain_fields(strawberry_schema: Any, type_name: str) -> dict[str, str]:
    """The type's fields that Strawberry resolves as attributes and that are columns of the
    table of the same name (`db.queries.compiled.TABLES`)."""
    definition = strawberry_schema.get_type_by_name(type_name)
    converter = strawberry_schema.config.name_converter
    return {
        converter.get_graphql_name(strawberry_field): strawberry_field.python_name
        for strawberry_field in definition.fields
        if strawberry_field.base_resolver is None
        and is_column(type_name, strawberry_field.python_name)
    }


class ObjectCompiler:
    """Compiles selections on Petition and the objects it reaches in one statement."""

    def __init__(self, strawberry_schema: Any, gql_schema: GraphQLSchema) -> None:
        self.gql = gql_schema
        self.plain = {name: plain_fields(strawberry_schema, name) for name in TABLES}
        """Per type: GraphQL field name -> model attribute, for fields Strawberry resolves as
        plain attributes."""

    def _object_type(self, name: str) -> GraphQLObjectType:
        found = self.gql.get_type(name)
        assert isinstance(found, GraphQLObjectType)
        return found

    def petition(
        self,
        selection_set: SelectionSetNode | None,
        layout: RowLayout,
        computed: Mapping[str, Callable[[FieldNode], Writer]] | None = None,
    ) -> Writer:
        """A petition's writer; `computed` compiles fields that read the Source's `extra`
        (a single petition's events)."""
        entries: list[Entry] = []
        for node in fields_of(selection_set):
            name = node.name.value
            relation = RELATIONS.get(name)
            if computed and name in computed:
                entries.append((response_key(node), None, computed[name](node)))
            elif relation is not None:
                if node.arguments:
                    raise NotCompilable("arguments on a relation")
                entries.append((response_key(node), None, self._joined(node, relation, layout)))
            else:
                entries.append(self._petition_leaf(node, layout))
        return _fields_writer(entries)

    def _petition_leaf(self, node: FieldNode, layout: RowLayout) -> Entry:
        name, key = node.name.value, response_key(node)
        if name == "__typename":
            return (key, None, lambda _source: "Petition")
        gql_field = self._object_type("Petition").fields.get(name)
        if node.selection_set is not None or node.arguments or gql_field is None:
            raise NotCompilable(f"Petition.{name}")
        field_type = gql_field.type
        if name == "id":
            return _column(key, layout.position("Petition", "id"), field_type, "Petition")
        if name in PETITION_TEXT:
            text = layout.position("Petition", PETITION_TEXT[name])
            return (key, None, _public_text(field_type, text, layout))
        if name == "isOverdue":
            status = layout.position("Petition", "status")
            deadline = layout.position("Petition", "deadline_at")

            def overdue(s: Source) -> bool:
                return is_overdue(s.row[status], s.row[deadline], s.now)

            return (key, None, leaf_writer(field_type, overdue))
        attribute = self.plain["Petition"].get(name)
        if attribute is None:
            raise NotCompilable(f"Petition.{name}")
        return _column(key, layout.position("Petition", attribute), field_type)

    def _joined(self, node: FieldNode, type_name: str, layout: RowLayout) -> Writer:
        """A to-one relation joined into the page's rows: null when its key is."""
        plain = self.plain[type_name]
        layout.joins.add(type_name)
        present = layout.position(type_name, key_attribute(type_name))
        gql_type = self._object_type(type_name)
        entries: list[Entry] = []
        for child in fields_of(node.selection_set):
            name, key = child.name.value, response_key(child)
            if name == "__typename":
                entries.append((key, None, lambda _source, t=type_name: t))
                continue
            if child.selection_set is not None or child.arguments or name not in gql_type.fields:
                raise NotCompilable(f"{type_name}.{name}")
            field_type = gql_type.fields[name].type
            if name == "id":
                entries.append(
                    _column(key, layout.position(type_name, "id"), field_type, type_name)
                )
            elif name in plain:
                index = layout.position(type_name, plain[name])
                entries.append(_column(key, index, field_type))
            elif name in RELATION_TEXT.get(type_name, {}):
                text = layout.position(type_name, RELATION_TEXT[type_name][name])
                entries.append((key, None, _public_text(field_type, text, layout)))
            else:
                raise NotCompilable(f"{type_name}.{name}")
        return _fields_writer(entries, present)

    def event(self, selection_set: SelectionSetNode | None, layout: RowLayout) -> Writer:
        """A history event's writer over a row of the attributes `layout` collects (read
        them off each event in that order). Its `note` is written as the row holds it: the
        caller withholds a private petition's notes from the rows (`EventsField.page`)."""

        def position(attribute: str) -> int:
            return layout.position("PetitionEvent", attribute)

        gql_type = self._object_type("PetitionEvent")
        plain = self.plain["PetitionEvent"]
        entries: list[Entry] = []
        for node in fields_of(selection_set):
            name, key = node.name.value, response_key(node)
            if name == "__typename":
                entries.append((key, None, lambda _source: "PetitionEvent"))
                continue
            if node.selection_set is not None or node.arguments or name not in gql_type.fields:
                raise NotCompilable(f"PetitionEvent.{name}")
            field_type = gql_type.fields[name].type
            if name == "id":
                entries.append(_column(key, position("id"), field_type, "PetitionEvent"))
            elif name == "cursor":
                entries.append((key, None, _event_cursor(field_type, position("id"))))
            elif name in plain:
                entries.append(_column(key, position(plain[name]), field_type))
            elif name == "note":
                entries.append(_column(key, position("note"), field_type))
            else:
                raise NotCompilable(f"PetitionEvent.{name}")
        return _fields_writer(entries)


def _public_text(field_type: Any, text: int, layout: RowLayout) -> Writer:
    """A free-text column of the petition or a joined relation, as the public sees it."""
    private = layout.position("Petition", "is_private")
    return leaf_writer(field_type, lambda s: public_text(s.row[text], s.row[private]))


def _event_cursor(field_type: Any, id_index: int) -> Writer:
    return leaf_writer(field_type, lambda source: cursor_for_event_id(source.row[id_index]))


RELATIONS = {"agency": "Agency", "field": "Field", "rating": "Rating", "latestAnswer": "Answer"}

PETITION_TEXT = {"title": "title", "body": "body", "featuredNote": "featured_note"}
"""The petition's free text, by GraphQL field: withheld when the petition is private."""

RELATION_TEXT = {"Answer": {"body": "body"}, "Rating": {"comment": "comment"}}
"""The joined relations' free text, by GraphQL field: withheld likewise."""

Entry = tuple[str, Any, Callable[[Any], Any]] | tuple[str, Any, Callable[[Any], Any], bool]
"""(response key, None, writer of the Source) for computed fields, or (response key,
column position, serialize, non-null) for a column."""


def _column(key: str, index: int, gql_type: Any, global_type: str | None = None) -> Entry:
    """A column's entry: serialised by its GraphQL type; as a global id of `global_type`."""
    serialize, non_null = serializer(gql_type)
    if global_type is not None:
        serialize_id = serialize
        return (key, index, lambda value: serialize_id(global_id(global_type, value)), non_null)
    return (key, index, serialize, non_null)


_STRINGS = frozenset({GraphQLString.serialize, GraphQLID.serialize})
"""Serializers that return a `str` unchanged: the writer skips the call for a `str`."""


def _fields_writer(entries: list[Entry], present: int | None = None) -> Writer:
    """One object's dict, in selection order, as a function generated for this selection:
    a column is read from the row by position and serialised by its GraphQL type (a `str`
    for a String or ID as it is), a computed field by its writer. With `present`, the object
    is null when that column is (an outer-joined relation that found no row).

    Generated, because a loop over the entries of every node of every page interpreted
    the same selection again each time: half of a compiled page's time."""
    namespace: dict[str, Any] = {"Fallback": Fallback}
    lines = ["def write(source):", "    row = source.row"]
    if present is not None:
        lines.append(f"    if row[{int(present)}] is None:")
        lines.append("        return None")
    values = []
    for n, entry in enumerate(entries):
        key = repr(str(entry[0]))
        if entry[1] is None:
            namespace[f"w{n}"] = entry[2]
            values.append(f"{key}: w{n}(source)")
            continue
        index, serialize, non_null = int(entry[1]), entry[2], entry[3]  # type: ignore[misc]
        namespace[f"s{n}"] = serialize
        lines.append(f"    v{n} = row[{index}]")
        if non_null:
            lines.append(f"    if v{n} is None:")
            lines.append("        raise Fallback('a non-null field is null')")
        if serialize in _STRINGS:
            value = f"v{n} if v{n}.__class__ is str else s{n}(v{n})"
        else:
            value = f"s{n}(v{n})"
        values.append(
            f"{key}: {value}" if non_null else f"{key}: None if v{n} is None else {value}"
        )
    lines.append("    return {" + ", ".join(values) + "}")
    exec("\n".join(lines), namespace)
    return namespace["write"]  # type: ignore[no-any-return]
