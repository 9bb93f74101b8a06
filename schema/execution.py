"""Strawberry's execution context, with one repair for long-lived subscriptions.

graphql-core 3.3 runs each subscription event through a shallow copy of the subscription's
executor, so every event adds entries to one shared memo of sub-field selections that no
later event reuses. Under many subscribers that memo grows without bound and its garbage
collection pauses dominated delivery latency (bench/SUBSCRIPTIONS.md). Giving each event
executor its own memo keeps memory flat; within one event the memo still works.
"""

from __future__ import annotations

from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_MEMO = "_relevant_sub_fields"


class PaknExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        if hasattr(executor, _MEMO):
            setattr(executor, _MEMO, {})
        return executor
