"""Assemble the Strawberry schema with the safety limits from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from app.settings import Settings
from schema.execution import PaknExecutionContext
from schema.extensions import ErrorCodes
from schema.mutations import Mutation
from schema.query import Query
from schema.scalars import SCALAR_OVERRIDES
from schema.subscription import Subscription
from schema.types import Agency, Answer, Petition, PetitionEvent

SDL_PATH = Path(__file__).with_name("schema.graphql")


class PaknSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Client errors are expected and not logged; `ErrorCodes` logs the unexpected."""


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    # The limiters make their rule classes when constructed. Made once here, the same
    # classes reach every request, so ValidationCache (keyed by the rules) hits.
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    return PaknSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Agency, Petition, Answer, PetitionEvent],
        extensions=[
            ErrorCodes,
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: AddValidationRules(limits),
            lambda: ValidationCache(maxsize=256),
        ],
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=PaknExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
    )


def sdl(schema: strawberry.Schema | None = None) -> str:
    return (schema or build_schema()).as_str() + "\n"
