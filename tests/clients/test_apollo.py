"""Apollo Client 4 (Node): a query with variables, two pages through
relayStylePagination, mutations (public, and an officer's with the bearer header),
automatic persisted queries through PersistedQueryLink, and a GraphQLWsLink subscription
that follows a petition across a server restart."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.support.stock_clients import Live, NodeScript, follow_with_node, step, submit
from tests.support.workflow import submission


async def apollo(live: Live, task: str, **config: Any) -> Any:
    async with NodeScript(
        "apollo_http", {"httpUrl": live.server.url, "task": task, **config}
    ) as script:
        return await script.result()


async def test_apollo_query_with_variables(live: Live) -> None:
    petition = await submit(live)
    await step(live, petition, "assign")
    found = await apollo(live, "query", code=petition.code)
    assert found == {
        "__typename": "Petition",
        "trackingCode": petition.code,
        "status": "ASSIGNED",
        "agency": {"__typename": "Agency", "code": "BTC"},
    }


async def test_apollo_relay_style_pagination_keeps_both_pages_in_order(live: Live) -> None:
    for _ in range(5):
        await submit(live)
    expected = await asyncio.to_thread(
        live.server.gql, "{ petitions(first: 4) { edges { cursor node { trackingCode } } } }"
    )
    edges = expected["petitions"]["edges"]
    found = await apollo(live, "paginate", pageSize=2)
    assert found["firstPage"] == [e["cursor"] for e in edges[:2]]
    assert found["secondPage"] == [e["cursor"] for e in edges[2:]]
    assert found["cached"] == [e["cursor"] for e in edges], "both pages, in order, once"
    assert found["cachedCodes"] == [e["node"]["trackingCode"] for e in edges]
    assert found["watched"] == found["cached"]
    assert found["pageInfo"]["endCursor"] == edges[3]["cursor"]
    assert found["pageInfo"]["hasNextPage"] is True


async def test_apollo_mutations_public_and_with_the_bearer_header(live: Live) -> None:
    found = await apollo(
        live, "mutate", submission=submission(), token=live.workflow.tokens.coordinator
    )
    submitted, assigned = found["submitted"], found["assigned"]
    assert submitted["userErrors"] == [] and submitted["secret"]
    assert assigned["userErrors"] == []
    assert assigned["petition"]["status"] == "ASSIGNED"
    assert assigned["petition"]["agency"]["code"] == "BTC"
    public = await asyncio.to_thread(live.workflow.public_view, submitted["trackingCode"])
    assert public["status"] == "ASSIGNED"


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_apollo_persisted_queries_send_the_document_once(live: Live, method: str) -> None:
    found = await apollo(live, "persisted", method=method, nonce=f"run_{uuid.uuid4().hex}")
    requests = found["requests"]
    hashes = {r["hash"] for r in requests}
    assert len(hashes) == 1 and None not in hashes, requests
    shape = [(r["method"], r["document"], r["errors"]) for r in requests]
    not_found = [{"message": "PersistedQueryNotFound", "code": "PERSISTED_QUERY_NOT_FOUND"}]
    assert shape == [
        (method, False, not_found),  # the hash alone: unknown
        ("POST", True, []),  # again with the document, which registers it
        (method, False, []),  # the second query: the hash alone, answered
    ], requests
    assert all(r["status"] == 200 for r in requests), requests
    assert found["results"][0] == found["results"][1] and len(found["results"][0]) == 3


async def test_apollo_graphql_ws_link_follows_a_petition_across_a_server_restart(
    live: Live,
) -> None:
    await follow_with_node(live, "apollo_follow", restart=True)
