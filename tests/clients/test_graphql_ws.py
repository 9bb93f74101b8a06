"""graphql-ws's own Node client (`createClient`, `ws` as its WebSocket) follows a petition
across a server restart and resumes from its last cursor."""

from __future__ import annotations

from tests.support.stock_clients import Live, follow_with_node


async def test_graphql_ws_follows_a_petition_across_a_server_restart(live: Live) -> None:
    await follow_with_node(live, "graphql_ws", restart=True)
