"""Compiled queries: a cheaper path for the documents clients send again and again.

Newsrooms' scripts and frontends repeat a handful of documents with different variables.
Once a document has been answered without errors by the general path (so it is valid
under every rule and limit of the schema), pakn compiles it, if it lies in the subset
compiled here: a `petitions` connection, or a `petition(trackingCode)` with its public
`events` page, whose petitions select columns, private text, global ids, `isOverdue`, and
the to-one `agency`, `field`, `rating` and `latestAnswer` (no fragments or directives).
Later requests for the same text and operation, from anonymous clients, skip
graphql-core: the arguments are coerced by graphql-core's and Strawberry's own functions
and checked by the resolvers' own functions, one statement reads the page (or the
petition) with exactly the selected columns and joins, one more the petition's events,
and the response is written from the rows, each leaf serialised by its GraphQL type.

Anything else, and any request the compiled plan cannot answer as the general path would
(an error of any kind, a null in a non-null field), takes the general path, which then
answers it. `tests/api/test_fastpath.py` checks, on both databases and for generated documents
and arguments, that the bytes are the ones graphql-core's execution gives.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from graphql.execution.values import get_variable_values

from resolvers.context import Context
from resolvers.errors import ClientError
from schema.cost import CostPlan, plan_cost
from schema.fastpath.objects import Fallback, NotCompilable, ObjectCompiler, fields_of
from schema.fastpath.petition import CompiledPetition, compile_petition
from schema.fastpath.petitions import CompiledPetitions, StatementCache, compile_petitions

log = logging.getLogger(__name__)

CAPACITY = 256


@dataclass(frozen=True)
class Plan:
    operation: OperationDefinitionNode
    cost: CostPlan
    root: list[tuple[str, CompiledPetitions | CompiledPetition | None]]
    """Each root field by response key: compiled, or None for __typename."""


class CompiledQueries:
    def __init__(self, strawberry_schema: Any, capacity: int = CAPACITY) -> None:
        self.gql = strawberry_schema._schema
        self.objects = ObjectCompiler(strawberry_schema, self.gql)
        query = strawberry_schema.get_type_by_name("Query")
        self.field = next(f for f in query.fields if f.python_name == "petitions")
        self.field_def = self.gql.query_type.fields["petitions"]
        self.scalar_registry = strawberry_schema.schema_converter.scalar_registry
        self.config = strawberry_schema.config
        self.max_query_cost: int = getattr(strawberry_schema, "max_query_cost", 0)
        """The general path's cost limit: a request over it is left to the general path,
        which refuses it with QUERY_TOO_COSTLY."""
        self.capacity = capacity
        self.statements = StatementCache()
        self.answered = 0
        """Requests answered by the compiled path (for tests and operators)."""
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        key = (query, operation_name)
        found = self._plans.get(key)
        if found is not None:
            self._plans.move_to_end(key)
        return found

    def knows(self, query: str, operation_name: str | None) -> bool:
        return (query, operation_name) in self._plans

    def learn(self, query: str, operation_name: str | None) -> None:
        """Compile a document the general path has just answered without errors."""
        try:
            plan: Plan | None = self._compile(query, operation_name)
        except (NotCompilable, GraphQLError):
            plan = None
        self._plans[(query, operation_name)] = plan
        if len(self._plans) > self.capacity:
            self._plans.popitem(last=False)

    def _compile(self, query: str, operation_name: str | None) -> Plan:
        document = parse(query, no_location=True)
        if len(document.definitions) != 1:
            raise NotCompilable("one operation and no fragments")
        operation = document.definitions[0]
        if (
            not isinstance(operation, OperationDefinitionNode)
            or operation.operation is not OperationType.QUERY
            or operation.directives
            or (operation_name is not None and operation.name is None)
            or (operation_name is not None and operation.name.value != operation_name)  # type: ignore[union-attr]
        ):
            raise NotCompilable("a single query operation")
        root: list[tuple[str, CompiledPetitions | CompiledPetition | None]] = []
        for node in fields_of(operation.selection_set):
            key = node.alias.value if node.alias else node.name.value
            if node.name.value == "__typename":
                root.append((key, None))
            elif node.name.value == "petitions":
                root.append((key, compile_petitions(self.objects, self.gql, node, self.statements)))
            elif node.name.value == "petition":
                root.append((key, compile_petition(self.objects, self.gql, node)))
            else:
                raise NotCompilable(f"Query.{node.name.value}")
        return Plan(operation, plan_cost(self.gql, document, operation_name), root)

    async def execute(self, plan: Plan, ctx: Context, variables: Any) -> dict[str, Any] | None:
        """The response for `plan`, or None when the general path must answer."""
        try:
            found = get_variable_values(
                self.gql, plan.operation.variable_definitions or [], variables or {}
            )
            if isinstance(found, list):
                return None
            # graphql-core 3.3.2 wraps the values (VariableValues.coerced) and its
            # get_argument_values takes them wrapped; earlier, both were a plain dict
            coerced: dict[str, Any] = getattr(found, "coerced", found)
            if self.max_query_cost and plan.cost.cost(coerced) > self.max_query_cost:
                return None
            data: dict[str, Any] = {}
            for key, part in plan.root:
                data[key] = "Query" if part is None else await part.run(ctx, self, found)
        except (Fallback, ClientError, GraphQLError):
            return None
        except Exception:
            log.warning("compiled query failed; answered by the general path", exc_info=True)
            # a failed statement leaves PostgreSQL's transaction aborted: start afresh
            await ctx.session.rollback()
            return None
        self.answered += 1
        return {"data": data}


__all__ = ["CompiledQueries", "Plan"]
