"""urql (`@urql/core` with subscriptionExchange forwarding to graphql-ws) follows a
petition, loses its socket, and resumes from its last cursor."""

from __future__ import annotations

from tests.support.stock_clients import Live, follow_with_node


async def test_urql_follows_a_petition_across_a_dropped_socket(live: Live) -> None:
    await follow_with_node(live, "urql_follow", restart=False)
