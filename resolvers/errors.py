"""Errors a client can act on: each carries a stable `extensions.code`."""

from __future__ import annotations

from graphql import GraphQLError


class ClientError(GraphQLError):
    """A refused request, reported to the client as it is (never masked)."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message, extensions={"code": code, **details})
        self.code = code
