"""The compiled `petitions` connection: arguments as the resolver takes them, one page
statement with the selected columns, the to-one relations and the latest answer joined to
its rows (`db.queries.compiled.PetitionPageQuery`), one more statement for `totalCount`,
and the response written from the rows."""

from __future__ import annotations

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
from strawberry.types.arguments import convert_arguments

from db.queries.compiled import PetitionPageQuery, RowLayout, StatementCache
from resolvers.context import Context
from resolvers.ids import encode_sort_cursor
from resolvers.pagination import connection
from resolvers.petitions import page_query
from schema.fastpath.connections import Part, connection_parts
from schema.fastpath.objects import ObjectCompiler
from schema.inputs import ordering_of


@dataclass(frozen=True)
class CompiledPetitions:
    field_node: FieldNode
    query: PetitionPageQuery
    parts: list[tuple[str, Part]]
    counts: bool
    edge_cursors: bool
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
        page, total = await self.query.fetch(
            ctx.session, query.flt, query.request, query.order_name, counts=self.counts
        )

        def cursor_of(row: Any) -> str:
            # a page's row ends with its sort column and the petition id
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


def compile_petitions(
    objects: ObjectCompiler, gql: GraphQLSchema, field_node: FieldNode, cache: StatementCache
) -> CompiledPetitions:
    connection_type = get_named_type(gql.query_type.fields["petitions"].type)  # type: ignore[union-attr]
    assert isinstance(connection_type, GraphQLObjectType)
    layout = RowLayout()
    shape = connection_parts(
        gql, connection_type, field_node, lambda selection: objects.petition(selection, layout)
    )
    query = PetitionPageQuery(layout, cache)
    return CompiledPetitions(field_node, query, shape.parts, shape.counts, shape.edge_cursors)
