"""Assemble the Strawberry schema with the safety limits the composition root hands in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from schema.cost import CostEstimator
from schema.execution import PaknExecutionContext
from schema.extensions import ErrorCodes, QueryCost, SubscriptionsOverSockets
from schema.mutations import Mutation
from schema.petition_types import (
    AgencyType,
    AnswerType,
    AttachmentType,
    PetitionEventType,
    PetitionType,
)
from schema.query import Query
from schema.scalars import SCALAR_OVERRIDES
from schema.subscription import Subscription

SDL_PATH = Path(__file__).with_name("schema.graphql")


class PaknSchema(strawberry.Schema):
    max_query_cost: int = 0
    """The limit `QueryCost` holds documents to (0: none); the compiled path reads it too."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Client errors are expected and not logged; `ErrorCodes` logs the unexpected."""


class QueryLimits(Protocol):
    """What the schema takes from the settings (`app.settings.Settings` is one)."""

    @property
    def max_query_depth(self) -> int: ...
    @property
    def max_aliases(self) -> int: ...
    @property
    def max_tokens(self) -> int: ...
    @property
    def max_query_cost(self) -> int: ...
    @property
    def introspection(self) -> bool: ...


@dataclass(frozen=True)
class _PrintingOnly:
    """Limits for a schema that is only printed: they shape no SDL."""

    max_query_depth: int = 0
    max_aliases: int = 0
    max_tokens: int = 0
    max_query_cost: int = 0
    introspection: bool = True


def build_schema(limits: QueryLimits) -> strawberry.Schema:
    # The limiters make their rule classes when constructed. Made once here, the same
    # classes reach every request, so ValidationCache (keyed by the rules) hits.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        *(() if limits.introspection else (NoSchemaIntrospectionCustomRule,)),
    ]
    schema = PaknSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[AgencyType, PetitionType, AnswerType, PetitionEventType, AttachmentType],
        extensions=[
            ErrorCodes,
            SubscriptionsOverSockets,
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: AddValidationRules(rules),
            lambda: ValidationCache(maxsize=256),
        ],
        config=StrawberryConfig(
            auto_camel_case=True, disable_field_suggestions=not limits.introspection
        ),
        execution_context_class=PaknExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
    )
    if limits.max_query_cost > 0:
        estimator = CostEstimator(schema._schema)
        schema.max_query_cost = limits.max_query_cost
        schema.extensions = (
            *schema.extensions,
            lambda: QueryCost(estimator, limits.max_query_cost),
        )
    return schema


def sdl(schema: strawberry.Schema | None = None) -> str:
    return (schema or build_schema(_PrintingOnly())).as_str() + "\n"
