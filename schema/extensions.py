"""Every error the client sees carries a stable `extensions.code`; bugs are masked.

Errors raised on purpose (`resolvers.errors.ClientError`) pass through. Parse and
validation errors, including the depth, alias and token limits, get a code by kind. Any
other exception is a bug: the client gets INTERNAL_SERVER_ERROR and the request id, and
the log gets the traceback under the same id. An error that says the database is out of
reach for now (`db.availability`) is DATABASE_UNAVAILABLE, with `retryAfterSeconds`; over
HTTP the view then answers 503 with `Retry-After` (`Outage`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from db.availability import database_unavailable
from schema.cost import CostEstimator

logger = logging.getLogger("pakn.errors")

INTERNAL_MESSAGE = "Internal server error. Quote the requestId when you report it."
QUERY_CANCELED = "57014"
"""PostgreSQL's SQLSTATE for a statement cancelled, here by `statement_timeout`."""
TIMEOUT_MESSAGE = (
    "The query ran longer than the server allows; narrow the filter or ask for a smaller page."
)


RETRY_AFTER_SECONDS = 5
"""How long a client is asked to wait before retrying while the database is unavailable."""
UNAVAILABLE_MESSAGE = (
    "The database cannot be reached just now; retry in a few seconds. A submission retried "
    "with the same idempotencyKey, or an action with the same expectedVersion, is not "
    "applied twice."
)


@dataclass
class Outage:
    """Set by `ErrorCodes` when an error of the operation is DATABASE_UNAVAILABLE, so the
    HTTP view answers 503 (a mutable flag: the operation may run in a task of its own)."""

    seen: bool = False


OUTAGE: ContextVar[Outage | None] = ContextVar("pakn_database_outage", default=None)


def unavailable_error(
    error: GraphQLError | None = None, request_id: str | None = None
) -> GraphQLError:
    """DATABASE_UNAVAILABLE in place of `error`, with nothing of the driver's message."""
    outage = OUTAGE.get()
    if outage is not None:
        outage.seen = True
    logger.warning("database unavailable [request %s]", request_id)
    return GraphQLError(
        UNAVAILABLE_MESSAGE,
        nodes=error.nodes if error else None,
        path=error.path if error else None,
        extensions={
            "code": "DATABASE_UNAVAILABLE",
            "retryAfterSeconds": RETRY_AFTER_SECONDS,
            "requestId": request_id,
        },
    )


STRAWBERRY_SIGNALS = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)
"""Exceptions Strawberry raises through the hooks on purpose, to answer them itself (a
mutation over GET is 405, no query is 400)."""


def _validation_code(message: str) -> str:
    if "exceeds maximum operation depth" in message:
        return "QUERY_TOO_DEEP"
    if "aliases found" in message:
        return "TOO_MANY_ALIASES"
    return "GRAPHQL_VALIDATION_FAILED"


def syntax_code(message: str) -> str:
    if "more than" in message and "tokens" in message:
        return "TOO_MANY_TOKENS"
    return "GRAPHQL_PARSE_FAILED"


def _stopped_statement(original: BaseException | None) -> bool:
    """A statement the database cancelled (PostgreSQL's statement timeout or cancel
    request) or SQLite interrupted (`db.interrupts`): the same to the client."""
    driver_error = getattr(original, "orig", None)
    if getattr(driver_error, "pgcode", None) == QUERY_CANCELED:
        return True
    return isinstance(driver_error, sqlite3.OperationalError) and str(driver_error) == "interrupted"


def _empty_selection(node: object) -> bool:
    """Whether a selection set in the document under `node` selects nothing."""
    selection_set = getattr(node, "selection_set", None)
    if selection_set is not None and not selection_set.selections:
        return True
    children = getattr(node, "definitions", None) or (
        selection_set.selections if selection_set is not None else ()
    )
    return any(_empty_selection(child) for child in children)


class ErrorCodes(SchemaExtension):
    def __init__(self) -> None:
        self._phase = "parse"

    def on_validate(self) -> Iterator[None]:
        self._phase = "validate"
        yield

    def on_execute(self) -> Iterator[None]:
        self._phase = "execute"
        yield

    def on_operation(self) -> Iterator[None]:
        self._phase = "parse"
        try:
            yield
        except GraphQLError as error:
            self._coded(error)
            raise
        except STRAWBERRY_SIGNALS:
            raise
        except Exception as error:
            raise self._escaped(error) from None
        for error in self.execution_context.pre_execution_errors or ():
            self._coded(error)
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._coded(error) for error in result.errors]

    def on_stream_result(self, result: object) -> Iterator[None]:
        """Over a socket each result leaves as it is yielded, before `on_operation`
        resumes: its errors are coded here first."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self._coded(error) for error in errors]  # type: ignore[attr-defined]
        yield

    def _escaped(self, error: Exception) -> GraphQLError:
        """An exception that escaped the operation's hooks uncoded (Strawberry's caches
        run parsing and validation as they enter theirs, so their failures skip the other
        hooks). In validation it is a rule meeting a document it did not expect
        (Strawberry's depth limiter on an empty selection set, `{}`, which graphql-core
        3.3 parses): the document is refused. Anything else is a bug, masked."""
        if database_unavailable(error):
            return unavailable_error(None, self._request_id())
        document = self.execution_context.graphql_document
        if self._phase == "validate" and document is not None and _empty_selection(document):
            logger.warning("a validation rule failed on an empty selection set: %r", error)
            return GraphQLError(
                "The document could not be validated; every selection set must select at "
                "least one field.",
                extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
            )
        request_id = self._request_id()
        logger.error("unexpected error [request %s]", request_id, exc_info=error)
        return GraphQLError(
            INTERNAL_MESSAGE, extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        )

    def _request_id(self) -> str | None:
        return getattr(self.execution_context.context, "request_id", None)

    def _coded(self, error: GraphQLError) -> GraphQLError:
        """Give `error` a code (in place), or return a masked stand-in for a bug."""
        if error.extensions and "code" in error.extensions:
            return error
        original = error.original_error
        if _stopped_statement(original):
            logger.warning("statement timeout [request %s]", self._request_id())
            return GraphQLError(
                TIMEOUT_MESSAGE,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "QUERY_TIMEOUT", "requestId": self._request_id()},
            )
        if original is not None and database_unavailable(original):
            return unavailable_error(error, self._request_id())
        if isinstance(original, CannotGetOperationTypeError | InvalidOperationTypeError):
            error.extensions = {**(error.extensions or {}), "code": "BAD_REQUEST"}
            return error
        if original is not None and not isinstance(original, GraphQLError):
            request_id = self._request_id()
            logger.error("unexpected error [request %s]", request_id, exc_info=original)
            return GraphQLError(
                INTERNAL_MESSAGE,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            )
        if isinstance(original, GraphQLError) and original.extensions.get("code"):
            error.extensions = {**error.extensions, **original.extensions}
            return error
        if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
            code = syntax_code(error.message)
        elif self._phase == "validate":
            code = _validation_code(error.message)
        else:
            code = "BAD_USER_INPUT"
        error.extensions = {**(error.extensions or {}), "code": code}
        return error


class QueryCost(SchemaExtension):
    """Refuse, before it runs, a document whose estimated rows (`schema.cost`) exceed the
    limit: QUERY_TOO_COSTLY, with the cost and the limit, over HTTP and sockets alike."""

    def __init__(self, estimator: CostEstimator, limit: int) -> None:
        self.estimator = estimator
        self.limit = limit

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.query is not None:
            plan = self.estimator.plan(
                context.query, context.graphql_document, context.operation_name
            )
            cost = plan.cost(context.variables)
            if cost > self.limit:
                raise too_costly(cost, self.limit)
        yield


def too_costly(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"The query could return about {cost:,} rows; the server allows {limit:,}. Ask for "
        "smaller pages, or fewer nested lists (PAKN_MAX_QUERY_COST).",
        # JSON numbers past 2**53 lose precision, and orjson refuses past 2**64 (a 500)
        extensions={"code": "QUERY_TOO_COSTLY", "cost": min(cost, 2**53), "limit": limit},
    )


class SubscriptionsOverSockets(SchemaExtension):
    """A subscription sent over HTTP is refused (BAD_REQUEST) before it runs: its events
    stream over the WebSocket, and over HTTP graphql-core would run it as a query."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        over_http = getattr(context.context, "http_method", None) is not None
        if over_http and context.operation_type is OperationType.SUBSCRIPTION:
            raise GraphQLError(
                "Subscriptions run over the WebSocket at /graphql (graphql-transport-ws or the "
                "legacy graphql-ws), not over HTTP.",
                extensions={"code": "BAD_REQUEST"},
            )
        yield
