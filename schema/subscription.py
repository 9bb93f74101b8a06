"""The Subscription type: live petition events that lose nothing across reconnects."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers.feed import petition_events
from schema.info import GraphInfo
from schema.petition_types import PetitionEventType


@strawberry.type(
    description="Live events over WebSocket at /graphql (graphql-transport-ws, or the legacy "
    "graphql-ws). The public receives public events; an officer who puts "
    '{"authorization": "Bearer <token>"} in connection_init also receives the internal '
    "events of the petitions they handle (the Government Office: all)."
)
class Subscription:
    @strawberry.subscription(
        description="Events in commit order. Pass `after` (the cursor of the last event seen) "
        "to have missed events replayed first, then live ones: none lost, none twice. "
        "Without `after`, only events committed from now on. A subscriber that falls a "
        "whole queue (1,000 events) behind is ended with "
        "SLOW_SUBSCRIBER and the cursor to resume from. When the server restarts, the socket "
        "is closed with 1012 and no `complete`: reconnect and subscribe again with `after` "
        "set to the last cursor you received."
    )
    async def petition_events(
        self,
        info: GraphInfo,
        tracking_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only this petition's events; any letter case. No such petition: "
                "UNKNOWN_PETITION."
            ),
        ] = None,
        agency_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only events that concern this agency or a petition it currently "
                "handles; any letter case. No such agency: UNKNOWN_CODE."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Resume after this event's cursor (PetitionEvent.cursor); "
                "INVALID_CURSOR when it is not one. Null for live events only."
            ),
        ] = None,
    ) -> AsyncGenerator[PetitionEventType, None]:
        feed = info.context.feed
        async for event in petition_events(info.context, feed, tracking_code, agency_code, after):
            yield event  # type: ignore[misc]
