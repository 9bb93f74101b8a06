"""Relay connections: page arguments, and the plain objects the schema's types read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from strawberry.types.nodes import SelectedField

from resolvers.errors import ClientError

N = TypeVar("N")

MAX_PAGE = 100
"""The API's largest page, a fixed part of the contract."""
DEFAULT_PAGE = 20


@dataclass(frozen=True)
class PageArgs:
    limit: int
    after: str | None
    backwards: bool


def page_args(
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    *,
    default: int = DEFAULT_PAGE,
    maximum: int = MAX_PAGE,
) -> PageArgs:
    """Check Relay's arguments: forward with first/after, or backward with last/before."""
    if first is not None and last is not None:
        raise ClientError("INVALID_PAGINATION", "Pass either `first` or `last`, not both.")
    if (first is not None and before is not None) or (last is not None and after is not None):
        raise ClientError(
            "INVALID_PAGINATION",
            "Page forward with `first` and `after`, or backward with `last` and `before`.",
        )
    if after is not None and before is not None:
        raise ClientError("INVALID_PAGINATION", "Pass either `after` or `before`, not both.")
    backwards = last is not None or before is not None
    size = last if backwards else first
    if size is None:
        size = default
    if not 1 <= size <= maximum:
        argument = "last" if backwards else "first"
        raise ClientError(
            "PAGE_SIZE_OUT_OF_RANGE",
            f"`{argument}` must be between 1 and {maximum}; got {size}.",
            argument=argument,
            maximum=maximum,
        )
    return PageArgs(size, before if backwards else after, backwards)


@dataclass(frozen=True)
class Edge(Generic[N]):
    cursor: str
    node: N


@dataclass(frozen=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True)
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    counter: Callable[[], Awaitable[int]]

    @property
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def connection(
    rows: list[N],
    cursor_of: Callable[[N], str],
    *,
    args: PageArgs,
    has_more: bool,
    counter: Callable[[], Awaitable[int]],
    edge_cursors: bool = True,
) -> Connection[N]:
    """The page as a connection. Without `edge_cursors` (for a caller that reads no edge's
    cursor) edges carry an empty cursor and only the page info's two are encoded."""
    edges = [Edge(cursor_of(row) if edge_cursors else "", row) for row in rows]
    has_cursor = args.after is not None
    info = PageInfo(
        has_next_page=has_cursor if args.backwards else has_more,
        has_previous_page=has_more if args.backwards else has_cursor,
        start_cursor=cursor_of(rows[0]) if rows else None,
        end_cursor=cursor_of(rows[-1]) if rows else None,
    )
    return Connection(edges, info, counter)


def selected_node_fields(selection: Any) -> set[str]:
    """Names of the fields selected on each node of a connection (edges.node or nodes)."""
    names: set[str] = set()
    for child in _flatten(selection.selections):
        if child.name == "nodes":
            names |= {f.name for f in _flatten(child.selections)}
        elif child.name == "edges":
            for edge_field in _flatten(child.selections):
                if edge_field.name == "node":
                    names |= {f.name for f in _flatten(edge_field.selections)}
    return names


def selects(selection: Any, name: str) -> bool:
    return any(child.name == name for child in _flatten(selection.selections))


def _flatten(selections: list[Any]) -> list[Any]:
    """Fields of a selection set, looking through fragment spreads and inline fragments."""
    fields: list[Any] = []
    for item in selections:
        if isinstance(item, SelectedField):
            fields.append(item)
        else:
            fields.extend(_flatten(item.selections))
    return fields
