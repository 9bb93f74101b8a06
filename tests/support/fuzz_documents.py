"""GraphQL requests for the fuzzer, generated from the committed SDL (schema/schema.graphql)
by hypothesis-graphql with the values of `tests.support.fuzz_values`.

hypothesis-graphql writes every argument as a literal in the document. Clients mostly
send variables, and the server coerces those by another path (JSON values, not literals),
so `requests` moves the arguments of some documents into variables (`hoist`), and then
sometimes gives a variable a value of the wrong shape entirely (a number for an input
object, text nested a thousand deep).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import graphql
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse_type,
    value_from_ast_untyped,
    visit,
)
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from schema.build import SDL_PATH
from tests.support.fuzz_values import Seeds, custom_scalars, hostile_json, integers, strings


@cache
def committed_schema() -> GraphQLSchema:
    return graphql.build_schema(SDL_PATH.read_text())


MAX_GET_CHARACTERS = 6000
"""A query longer than this is posted even when drawn as a GET: httpx refuses to build a
URL of more than 64 KiB, and percent-encoding may multiply a text by nine."""


@dataclass(frozen=True)
class Request:
    """One GraphQL request: the document, its variables, and how it is sent."""

    query: str
    variables: dict[str, Any] | None = None
    method: str = "POST"

    def __repr__(self) -> str:
        """Shortened: a case may carry 200,000 characters."""
        return f"Request({self.method}, {_short(self.query)}, variables={_short(self.variables)})"

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        """Hypothesis prints a failing case with this."""
        printer.text(repr(self))


def _short(value: object, limit: int = 4000) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} characters)"


class _Hoist(Visitor):
    """Replace each field argument's literal by a variable `$vN` of the argument's type."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.definitions: list[VariableDefinitionNode] = []
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: ArgumentNode, *_: object) -> ArgumentNode | None:
        argument = self.type_info.get_argument()
        if argument is None or isinstance(node.value, VariableNode):
            return None
        name = f"v{len(self.definitions)}"
        variable = VariableNode(name=NameNode(value=name))
        self.definitions.append(
            VariableDefinitionNode(
                variable=variable, type=parse_type(str(argument.type)), directives=()
            )
        )
        self.values[name] = value_from_ast_untyped(node.value)
        return ArgumentNode(name=node.name, value=variable)


def hoist(document: DocumentNode) -> tuple[str, dict[str, Any]]:
    """The document with its arguments as variables, and the variables' values."""
    type_info = TypeInfo(committed_schema())
    hoisted = _Hoist(type_info)
    changed = visit(document, TypeInfoVisitor(type_info, hoisted))
    operation = changed.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(hoisted.definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    text = graphql.print_ast(DocumentNode(definitions=(operation,)))
    return text, hoisted.values


def _document(node: DocumentNode) -> DocumentNode:
    return node


def documents(
    seeds: Seeds, kind: str, mode: Mode = Mode.POSITIVE, fields: tuple[str, ...] | None = None
) -> st.SearchStrategy[Any]:
    """Queries or mutations (`kind`) of the committed schema as `DocumentNode`s, with only
    the root `fields` when given."""
    make = queries if kind == "query" else mutations
    return make(
        committed_schema(),
        fields=fields,
        custom_scalars=custom_scalars(seeds),
        print_ast=_document,
        mode=mode,
    )


@st.composite
def requests(draw: st.DrawFn, seeds: Seeds, kind: str) -> Request:
    """A request for a generated query or mutation: literals or variables (some of a
    hostile shape), posted as JSON, or for some queries sent as a GET."""
    document = draw(documents(seeds, kind))
    get = kind == "query" and draw(st.integers(0, 9)) == 0
    if not draw(st.booleans()):
        text, values = graphql.print_ast(document), None
    else:
        text, values = hoist(document)
        if values and draw(st.integers(0, 4)) == 0:
            name = draw(st.sampled_from(sorted(values)))
            values = {**values, name: draw(hostile_json())}
    # A URL longer than a few kilobytes is refused by the client before it is sent.
    short = len(text) + len(repr(values)) < MAX_GET_CHARACTERS
    return Request(text, values, "GET" if get and short else "POST")


COMPILED_ROOTS = ("petitions", "petition")
"""The root fields the compiled path (`schema.fastpath`) answers."""


def _retouched(draw: st.DrawFn, value: Any, seeds: Seeds) -> Any:
    """`value` with some of its text and numbers replaced by other values of the same kind."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return draw(strings(seeds)) if draw(st.integers(0, 2)) == 0 else value
    if isinstance(value, int):
        return draw(integers(seeds)) if draw(st.integers(0, 2)) == 0 else value
    if isinstance(value, list):
        return [_retouched(draw, item, seeds) for item in value]
    if isinstance(value, dict):
        return {key: _retouched(draw, item, seeds) for key, item in value.items()}
    return value


@st.composite
def repeated_requests(draw: st.DrawFn, seeds: Seeds) -> tuple[Request, Request]:
    """One document of the compiled path's roots, sent twice with different variables:
    the first answer teaches it to the compiled path (when it has no error), the second
    is answered by it (or handed back to the general path)."""
    document = draw(documents(seeds, "query", fields=COMPILED_ROOTS))
    text, values = hoist(document)
    again = {name: _retouched(draw, value, seeds) for name, value in values.items()}
    return Request(text, values), Request(text, again)


@st.composite
def invalid_requests(draw: st.DrawFn, seeds: Seeds) -> Request:
    """hypothesis-graphql's negative mode: each document breaks the schema in one way (a
    wrong type, a missing required argument, an Int over 32 bits, an unknown enum value)."""
    kind = draw(st.sampled_from(["query", "mutation"]))
    document = draw(documents(seeds, kind, Mode.NEGATIVE))
    return Request(graphql.print_ast(document))
