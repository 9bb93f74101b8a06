"""The Subscription type: live petition events that lose nothing across reconnects."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from resolvers.feed import petition_events
from schema.types import GraphInfo, PetitionEvent


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Events in commit order. Pass `after` (the cursor of the last event seen) "
        "to have missed events replayed first, then live ones: none lost, none twice."
    )
    async def petition_events(
        self,
        info: GraphInfo,
        tracking_code: str | None = None,
        agency_code: str | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[PetitionEvent, None]:
        feed = info.context.feed
        async for event in petition_events(info.context, feed, tracking_code, agency_code, after):
            yield event  # type: ignore[misc]
