"""Node round trips, and the statement budget: a page of 50 costs what a page of 5 costs."""

from __future__ import annotations

from typing import Any

from tests.support.server import RunningServer

PAGE_WITH_RELATIONS = """
query Page($first: Int!) {
  petitions(first: $first, filter: {statuses: [CLOSED, ANSWERED, IN_PROGRESS, ESCALATED]}) {
    totalCount
    edges { cursor node {
      id trackingCode title status isOverdue submittedAt deadlineAt
      agency { code name kind }
      field { code name }
      answers { id body answeredAt agency { code } }
      latestAnswer { body }
      rating { score comment ratedAt }
      latestEvent { action toStatus at agency { code } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _statements_for(server: RunningServer, query: str, variables: dict[str, Any]) -> int:
    server.log.clear()
    server.gql(query, variables)
    return len(server.log.statements)


def test_statement_count_does_not_grow_with_page_size(demo_server: RunningServer) -> None:
    small = _statements_for(demo_server, PAGE_WITH_RELATIONS, {"first": 5})
    large = _statements_for(demo_server, PAGE_WITH_RELATIONS, {"first": 50})
    page = demo_server.gql(PAGE_WITH_RELATIONS, {"first": 50})["petitions"]
    assert len(page["edges"]) == 50
    assert any(edge["node"]["answers"] for edge in page["edges"])
    assert any(edge["node"]["rating"] for edge in page["edges"])
    assert small == large
    assert large <= 6, demo_server.log.statements


def test_event_histories_on_a_page_are_batched(demo_server: RunningServer) -> None:
    query = """query($first: Int!) { petitions(first: $first) { edges { node {
        events(first: 3) { totalCount edges { cursor node { action } } pageInfo { hasNextPage } }
    } } } }"""
    assert _statements_for(demo_server, query, {"first": 5}) == _statements_for(
        demo_server, query, {"first": 50}
    )


def test_node_round_trips_for_every_type(demo_server: RunningServer) -> None:
    page = demo_server.gql(
        """{ petitions(first: 20, filter: {statuses: [CLOSED]}) { edges { node {
            id trackingCode agency { id code } answers { id body }
            events(first: 2) { edges { node { id action } } } } } } }"""
    )["petitions"]["edges"]
    node = page[0]["node"]
    samples = [
        (node["id"], "Petition", "trackingCode", node["trackingCode"]),
        (node["agency"]["id"], "Agency", "code", node["agency"]["code"]),
        (node["answers"][0]["id"], "Answer", "body", node["answers"][0]["body"]),
        (
            node["events"]["edges"][0]["node"]["id"],
            "PetitionEvent",
            "action",
            node["events"]["edges"][0]["node"]["action"],
        ),
    ]
    for global_id, type_name, field, value in samples:
        found = demo_server.gql(
            "query($id: ID!) { node(id: $id) { __typename id "
            f"... on {type_name} {{ {field} }} }} }}",
            {"id": global_id},
        )["node"]
        assert found == {"__typename": type_name, "id": global_id, field: value}


def test_petition_by_tracking_code_matches_node(demo_server: RunningServer) -> None:
    edge = demo_server.gql("{ petitions(first: 1) { edges { node { id trackingCode } } } }")
    node = edge["petitions"]["edges"][0]["node"]
    found = demo_server.gql(
        "query($code: String!) { petition(trackingCode: $code) { id trackingCode } }",
        {"code": node["trackingCode"].lower()},
    )["petition"]
    assert found == node
    missing = demo_server.gql('{ petition(trackingCode: "PAKN-1999-000001") { id } }')
    assert missing == {"petition": None}


def test_agency_petitions_and_lookup(demo_server: RunningServer) -> None:
    data = demo_server.gql(
        """{ agency(code: "ubnd-01") { code name kind provinceCode
              petitions(first: 100) { totalCount edges { node { agency { code } } } } } }"""
    )["agency"]
    assert data["code"] == "UBND-01" and data["kind"] == "PROVINCE"
    assert data["provinceCode"] == "01"
    assert all(e["node"]["agency"]["code"] == "UBND-01" for e in data["petitions"]["edges"])
    assert demo_server.gql('{ agency(code: "NOPE") { code } }') == {"agency": None}


def test_agency_list_with_nested_petitions_is_batched(demo_server: RunningServer) -> None:
    query = """query($first: Int!) { agencies(first: $first) { edges { node { code
        petitions(first: 3) { totalCount edges { node {
            trackingCode agency { code } field { code } answers { body } } } } } } } }"""
    few = _statements_for(demo_server, query, {"first": 3})
    many = _statements_for(demo_server, query, {"first": 51})
    assert few == many
    agencies = demo_server.gql(query, {"first": 51})["agencies"]["edges"]
    for edge in agencies:
        petitions = edge["node"]["petitions"]
        assert len(petitions["edges"]) == min(3, petitions["totalCount"])
        assert all(p["node"]["agency"]["code"] == edge["node"]["code"] for p in petitions["edges"])


def test_agency_petitions_page_through_like_the_filtered_list(demo_server: RunningServer) -> None:
    counts = demo_server.gql(
        "{ agencies(first: 100) { edges { node { code petitions { totalCount } } } } }"
    )["agencies"]["edges"]
    code = max(counts, key=lambda e: e["node"]["petitions"]["totalCount"])["node"]["code"]
    listed = demo_server.gql(
        """query($code: String!) { petitions(first: 100, filter: {agencyCodes: [$code]}) {
            edges { node { trackingCode } } } }""",
        {"code": code},
    )["petitions"]["edges"]
    walked: list[str] = []
    after = None
    while True:
        page = demo_server.gql(
            """query($code: String!, $after: String) { agency(code: $code) {
                petitions(first: 4, after: $after) { edges { node { trackingCode } }
                pageInfo { hasNextPage endCursor } } } }""",
            {"code": code, "after": after},
        )["agency"]["petitions"]
        walked += [e["node"]["trackingCode"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(listed) > 4
    assert walked == [e["node"]["trackingCode"] for e in listed]
