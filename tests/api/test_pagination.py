"""Keyset pagination: every petition exactly once, forwards and backwards, in every order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.demo import DEMO_PETITIONS
from tests.support.server import RunningServer

PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String, $order: PetitionOrder,
           $filter: PetitionFilter) {
  petitions(first: $first, after: $after, last: $last, before: $before, orderBy: $order,
            filter: $filter) {
    totalCount
    edges { cursor node { trackingCode submittedAt deadlineAt answeredAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ORDERS = [
    {"field": field, "direction": direction}
    for field in ("SUBMITTED_AT", "DEADLINE_AT", "ANSWERED_AT")
    for direction in ("ASC", "DESC")
]


def walk_forward(server: RunningServer, size: int, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = server.gql(PAGE, {"first": size, "after": after, **variables})["petitions"]
        nodes += [edge["node"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def walk_backward(server: RunningServer, size: int, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    before = None
    while True:
        page = server.gql(PAGE, {"last": size, "before": before, **variables})["petitions"]
        nodes = [edge["node"] for edge in page["edges"]] + nodes
        assert page["pageInfo"]["hasNextPage"] == (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            return nodes
        before = page["pageInfo"]["startCursor"]


def _sort_value(node: dict[str, Any], field: str) -> Any:
    return {
        "SUBMITTED_AT": node["submittedAt"],
        "DEADLINE_AT": node["deadlineAt"],
        "ANSWERED_AT": node["answeredAt"],
    }[field]


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: f"{o['field']}-{o['direction']}")
def test_forward_and_backward_walks_agree_without_gaps_or_overlaps(
    demo_server: RunningServer, order: dict[str, str]
) -> None:
    forward = walk_forward(demo_server, 37, order=order)
    backward = walk_backward(demo_server, 37, order=order)
    codes = [node["trackingCode"] for node in forward]
    assert len(codes) == DEMO_PETITIONS
    assert len(set(codes)) == DEMO_PETITIONS
    assert [node["trackingCode"] for node in backward] == codes

    values = [_sort_value(node, order["field"]) for node in forward]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), "nulls sort last"
    from datetime import datetime

    instants = [datetime.fromisoformat(v) for v in present]
    expected = sorted(instants, reverse=order["direction"] == "DESC")
    assert instants == expected


def test_filtered_walks_cover_exactly_the_filtered_set(demo_server: RunningServer) -> None:
    flt = {"statuses": ["CLOSED", "ANSWERED"]}
    forward = walk_forward(demo_server, 9, filter=flt)
    total = demo_server.gql(PAGE, {"first": 1, "filter": flt})["petitions"]["totalCount"]
    assert len(forward) == total
    assert len({n["trackingCode"] for n in forward}) == total
    backward = walk_backward(demo_server, 11, filter=flt)
    assert [n["trackingCode"] for n in backward] == [n["trackingCode"] for n in forward]


def test_middle_page_backwards_from_a_cursor(demo_server: RunningServer) -> None:
    everything = walk_forward(demo_server, 100)
    first_page = demo_server.gql(PAGE, {"first": 30})["petitions"]
    cursor = first_page["edges"][20]["cursor"]
    before = demo_server.gql(PAGE, {"last": 5, "before": cursor})["petitions"]
    assert [e["node"]["trackingCode"] for e in before["edges"]] == [
        n["trackingCode"] for n in everything[15:20]
    ]
    assert before["pageInfo"]["hasPreviousPage"] and before["pageInfo"]["hasNextPage"]
