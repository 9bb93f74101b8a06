"""Introspection and "Did you mean" suggestions: on by default for a public API, and both
off with PAKN_INTROSPECTION=0 (issue 13, point 6)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.settings import Settings
from tests.support.server import RunningServer

INTROSPECTION = "{ __schema { queryType { name } } }"
MISSPELLED = "{ petitions(first: 1) { nodes { trackingCod } } }"


@pytest.fixture(scope="module")
def closed_server(demo_database: str) -> Iterator[RunningServer]:
    settings = Settings(database_url=demo_database, introspection=False, feed_poll_seconds=3600)
    with RunningServer(settings) as server:
        yield server


def test_introspection_and_suggestions_are_on_by_default(demo_server: RunningServer) -> None:
    assert demo_server.gql(INTROSPECTION)["__schema"]["queryType"]["name"] == "Query"
    [error] = demo_server.errors(MISSPELLED)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean 'trackingCode'?" in error["message"]


def test_introspection_off_refuses_the_schema_and_suggests_nothing(
    closed_server: RunningServer,
) -> None:
    refused = closed_server.errors(INTROSPECTION)
    assert {error["extensions"]["code"] for error in refused} == {"GRAPHQL_VALIDATION_FAILED"}
    assert any("introspection" in error["message"].lower() for error in refused)
    [error] = closed_server.errors(MISSPELLED)
    assert "Did you mean" not in error["message"]
    assert closed_server.gql("{ __typename petitions(first: 1) { totalCount } }")["__typename"]
