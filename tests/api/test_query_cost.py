"""Query cost: a document's estimated rows are worked out before it runs, and a document
over PAKN_MAX_QUERY_COST is refused with QUERY_TOO_COSTLY, over HTTP, over a socket and on
the compiled path alike (issue 13, point 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import parse

from app.settings import Settings
from schema.build import build_schema
from schema.cost import MAX_PAGE, plan_cost
from tests.support.server import RunningServer
from tests.support.ws_client import GraphQLSocket

NESTED = """{ agency(code: "BTC") { petitions(first: 100) { nodes { agency {
  petitions(first: 100) { nodes { agency { petitions(first: 100) { nodes { trackingCode } } } } }
} } } } }"""
"""The security review's document: depth 9, no alias, 36 MB in 23 s before this limit."""

PAGE = """query Page($first: Int) { petitions(first: $first) {
  totalCount edges { cursor node { trackingCode status agency { code } } } pageInfo { hasNextPage }
} }"""


def _cost(query: str, variables: dict[str, Any] | None = None) -> int:
    schema = build_schema(Settings(secret_key="cost"))._schema
    return plan_cost(schema, parse(query), None).cost(variables)


def test_page_sizes_multiply_along_nested_connections() -> None:
    assert _cost(NESTED) > 1_000_000 > Settings().max_query_cost


def test_a_page_costs_its_rows_and_their_objects() -> None:
    # petitions, pageInfo, and per row an edge, its node and the node's agency
    assert _cost(PAGE, {"first": 20}) == 2 + 3 * 20
    assert _cost(PAGE, {"first": 5}) == 2 + 3 * 5


def test_a_page_size_not_given_counts_at_its_maximum() -> None:
    assert _cost(PAGE, {}) == 2 + 3 * MAX_PAGE
    assert _cost("{ petitions { nodes { trackingCode } } }") == 1 + MAX_PAGE


def test_aliases_and_fragments_count_like_the_fields_they_stand_for() -> None:
    one = "{ petitions(first: 10) { nodes { trackingCode } } }"
    twice = """{ a: petitions(first: 10) { nodes { trackingCode } }
      b: petitions(first: 10) { nodes { trackingCode } } }"""
    by_fragment = """{ petitions(first: 10) { ...Rows } }
      fragment Rows on PetitionConnection { nodes { trackingCode agency { code } } }"""
    assert _cost(twice) == 2 * _cost(one)
    assert _cost(by_fragment) == 1 + 10 + 10


def test_lists_that_are_not_pages_count_at_their_real_maximum() -> None:
    assert _cost("{ fields { code } }") < 100
    assert _cost("{ provinces { code } }") == 34
    assert _cost("{ __schema { types { name fields { name } } } }") < 10


@pytest.fixture(scope="module")
def limited_server(demo_database: str) -> Iterator[RunningServer]:
    """The demo data behind the default limit."""
    with RunningServer(Settings(database_url=demo_database, feed_poll_seconds=3600)) as server:
        yield server


@pytest.fixture(scope="module")
def cheap_server(demo_database: str) -> Iterator[RunningServer]:
    """The demo data behind a low limit, so that a page of 40 is already too costly."""
    settings = Settings(database_url=demo_database, max_query_cost=100, feed_poll_seconds=3600)
    with RunningServer(settings) as server:
        yield server


def _refusal(errors: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    assert len(errors) == 1, errors
    extensions = errors[0]["extensions"]
    assert extensions["code"] == "QUERY_TOO_COSTLY"
    assert extensions["limit"] == limit
    assert extensions["cost"] > limit
    return extensions


def test_the_reviewed_document_is_refused_before_it_runs(limited_server: RunningServer) -> None:
    response = limited_server.post(NESTED)
    assert response.status_code == 200
    body = response.json()
    assert body.get("data") is None
    extensions = _refusal(body["errors"], Settings().max_query_cost)
    assert extensions["cost"] > 1_000_000


def test_the_compiled_path_applies_the_same_limit(cheap_server: RunningServer) -> None:
    for _ in range(3):  # answered, then learned and answered by the compiled path
        assert len(cheap_server.gql(PAGE, {"first": 5})["petitions"]["edges"]) == 5
    errors = cheap_server.errors(PAGE, {"first": 40})
    _refusal(errors, 100)


def test_page_sizes_given_as_variables_count_at_their_value(cheap_server: RunningServer) -> None:
    assert cheap_server.gql(PAGE, {"first": 30})["petitions"]["totalCount"] > 0
    _refusal(cheap_server.errors(PAGE, {"first": 34}), 100)


async def test_a_socket_is_held_to_the_same_limit(limited_server: RunningServer) -> None:
    async with GraphQLSocket(limited_server.url) as socket:
        socket.operation_id = "costly"
        await socket._send(
            {"id": "costly", "type": "subscribe", "payload": {"query": NESTED, "variables": {}}}
        )
        message = await socket.next_message()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    _refusal(errors, Settings().max_query_cost)
