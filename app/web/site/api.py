"""The website asks pakn's own GraphQL API, in process, for everything it shows or does.

Each page runs one of the documents in `queries/` (named after the file) through the same
schema, resolvers, services, limits and visibility rules as a client's request over
HTTP, as an anonymous caller from the visitor's address: the site is the reference client
of the API and writes no rule a second time. A document the compiled path knows is
answered there, as an HTTP request with the same document would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request

from app.web.deadline import within
from app.web.graphql_view import PaknGraphQL
from resolvers.context import Context
from resolvers.loaders import Loaders

QUERIES = Path(__file__).parent / "queries"


def load_documents() -> dict[str, str]:
    """Every document of `queries/`, by file name without `.graphql`."""
    return {path.stem: path.read_text(encoding="utf-8") for path in QUERIES.glob("*.graphql")}


DOCUMENTS = load_documents()


@dataclass
class Problem:
    """One error of a result: its code (`extensions.code`), message and input path."""

    code: str
    message: str
    field: list[str] = field(default_factory=list)


@dataclass
class Result:
    data: dict[str, Any] | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems


class SiteApi:
    def __init__(self, graphql: PaknGraphQL) -> None:
        self.graphql = graphql

    async def run(self, request: Request, name: str, variables: dict[str, Any]) -> Result:
        """Document `name` with `variables`, for the visitor behind `request`; an error
        meaning the database is out of reach escapes (the app answers 503)."""
        document = DOCUMENTS[name]
        async with self.graphql.sessions() as session:
            await session.connection()  # as PaknGraphQL.get_context does, and why
            context = self._context(request, session)
            return await within(
                self.graphql.request_timeout,
                self._execute(document, context, variables),
                self.graphql.settings.database_url,
            )

    def _context(self, request: Request, session: Any) -> Context:
        client = request.scope.get("client")
        return Context(
            session=session,
            settings=self.graphql.settings,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            loaders=Loaders(session),
            writes=self.graphql.writes,
            feed=self.graphql.feed,
            client_address=client[0] if client else None,
            http_method="POST",
        )

    async def _execute(self, document: str, context: Context, variables: dict[str, Any]) -> Result:
        compiled = self.graphql.compiled
        plan = compiled.plan(document, None) if compiled is not None else None
        if plan is not None:
            assert compiled is not None
            data = await compiled.execute(plan, context, variables)
            if data is not None and "errors" not in data:
                return Result(data.get("data"), [])
        result = await self.graphql.schema.execute(
            document, variable_values=variables, context_value=context
        )
        problems = [_problem(error.formatted) for error in result.errors or []]
        if compiled is not None and not problems and not compiled.knows(document, None):
            compiled.learn(document, None)
        return Result(result.data, problems)


def _problem(formatted: dict[str, Any]) -> Problem:
    extensions = formatted.get("extensions") or {}
    return Problem(str(extensions.get("code", "BAD_REQUEST")), str(formatted.get("message", "")))


def user_errors(payload: dict[str, Any] | None) -> list[Problem]:
    """A mutation payload's `userErrors` as problems, each with its input path."""
    return [
        Problem(error["code"], error["message"], list(error.get("field") or []))
        for error in (payload or {}).get("userErrors") or []
    ]
