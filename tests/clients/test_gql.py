"""Python's `gql` 4: a query over HTTP (httpx), and WebsocketsTransport following a
petition on graphql-transport-ws and on the legacy graphql-ws protocol.

(gql names the protocols by their libraries: `GRAPHQLWS_SUBPROTOCOL` is
"graphql-transport-ws", `APOLLO_SUBPROTOCOL` the legacy "graphql-ws".)"""

from __future__ import annotations

import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from tests.support.stock_clients import GqlFollower, Live, follow_and_resume, step, submit


async def test_gql_http_query_validated_against_the_served_schema(live: Live) -> None:
    petition = await submit(live)
    await step(live, petition, "assign")
    transport = HTTPXAsyncTransport(url=live.server.url + "/graphql", timeout=10)
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        result = await session.execute(
            GraphQLRequest(
                """query Petition($code: String!) {
                  petition(trackingCode: $code) { trackingCode status agency { code } }
                }""",
                variable_values={"code": petition.code},
            )
        )
    assert result == {
        "petition": {"trackingCode": petition.code, "status": "ASSIGNED", "agency": {"code": "BTC"}}
    }


@pytest.mark.parametrize(
    ("subprotocol", "restart"),
    [
        (WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL, True),
        (WebsocketsTransport.APOLLO_SUBPROTOCOL, True),
        (WebsocketsTransport.APOLLO_SUBPROTOCOL, False),
    ],
    ids=["graphql-transport-ws-restart", "graphql-ws-restart", "graphql-ws-disconnect"],
)
async def test_gql_websockets_follows_a_petition_and_resumes(
    live: Live, subprotocol: str, restart: bool
) -> None:
    petition = await submit(live)
    async with GqlFollower(live, petition, subprotocol) as follower:
        await follow_and_resume(live, follower, petition, restart)
