"""The parts of a compiled Relay connection (edges, nodes, pageInfo, totalCount), written
from a `resolvers.pagination.Connection` whose nodes are rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLObjectType, GraphQLSchema, SelectionSetNode, get_named_type

from resolvers.pagination import Connection
from schema.fastpath.objects import (
    NotCompilable,
    Source,
    Writer,
    fields_of,
    leaf_writer,
    response_key,
)

Part = Callable[[Connection[Any], Any, int | None], Any]
"""Writes one field of the connection: (connection, now, total count)."""


@dataclass(frozen=True)
class ConnectionShape:
    parts: list[tuple[str, Part]]
    counts: bool
    """`totalCount` is selected: the caller counts."""
    edge_cursors: bool
    """An edge's `cursor` is selected."""


def connection_parts(
    gql: GraphQLSchema,
    connection_type: GraphQLObjectType,
    field_node: FieldNode,
    compile_node: Callable[[SelectionSetNode | None], Writer],
) -> ConnectionShape:
    """The writers of a connection's selection, its nodes' compiled by `compile_node`."""
    parts: list[tuple[str, Part]] = []
    counts = edge_cursors = False
    for node in fields_of(field_node.selection_set):
        name, key = node.name.value, response_key(node)
        if name == "__typename":
            parts.append((key, _constant(connection_type.name)))
        elif name == "totalCount":
            counts = True
            parts.append((key, lambda _c, _n, total: total))
        elif name == "pageInfo":
            parts.append((key, _page_info(gql, node)))
        elif name == "edges":
            edge_type = get_named_type(connection_type.fields["edges"].type)
            parts.append((key, _edges(node, edge_type.name, compile_node)))
            edge_cursors |= any(c.name.value == "cursor" for c in fields_of(node.selection_set))
        elif name == "nodes":
            parts.append((key, _nodes(compile_node(node.selection_set))))
        else:
            raise NotCompilable(f"{connection_type.name}.{name}")
    return ConnectionShape(parts, counts, edge_cursors)


def _constant(value: Any) -> Part:
    return lambda _c, _n, _t: value


def _page_info(gql: GraphQLSchema, node: FieldNode) -> Part:
    info_type = gql.get_type("PageInfo")
    assert isinstance(info_type, GraphQLObjectType)
    attributes = {
        "hasNextPage": "has_next_page",
        "hasPreviousPage": "has_previous_page",
        "startCursor": "start_cursor",
        "endCursor": "end_cursor",
    }
    writers: list[tuple[str, Callable[[Any], Any]]] = []
    for child in fields_of(node.selection_set):
        name = child.name.value
        if name == "__typename":
            writers.append((response_key(child), lambda _info: "PageInfo"))
        elif name in attributes and not child.arguments:
            attribute = attributes[name]
            read = (lambda a: lambda info: getattr(info, a))(attribute)
            writers.append((response_key(child), leaf_writer(info_type.fields[name].type, read)))
        else:
            raise NotCompilable(f"PageInfo.{name}")

    def write(found: Connection[Any], _n: Any, _t: Any) -> dict[str, Any]:
        return {key: writer(found.page_info) for key, writer in writers}

    return write


def _edges(
    node: FieldNode, edge_type: str, compile_node: Callable[[SelectionSetNode | None], Writer]
) -> Part:
    writers: list[tuple[str, str, Any]] = []
    for child in fields_of(node.selection_set):
        name = child.name.value
        if name == "node":
            writers.append((response_key(child), name, compile_node(child.selection_set)))
        elif name in ("cursor", "__typename") and not child.arguments:
            writers.append((response_key(child), name, None))
        else:
            raise NotCompilable(f"{edge_type}.{name}")

    def write(found: Connection[Any], now: Any, _t: Any) -> Any:
        out = []
        for edge in found.edges:
            item: dict[str, Any] = {}
            for key, name, node_writer in writers:
                if name == "node":
                    item[key] = node_writer(Source(edge.node, now))
                elif name == "cursor":
                    item[key] = edge.cursor
                else:
                    item[key] = edge_type
            out.append(item)
        return out

    return write


def _nodes(node_writer: Any) -> Part:
    def write(found: Connection[Any], now: Any, _t: Any) -> Any:
        return [node_writer(Source(edge.node, now)) for edge in found.edges]

    return write
