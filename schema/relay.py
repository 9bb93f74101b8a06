"""Relay building blocks: the Node interface and generic cursor connections.

The connection types read plain objects built in `resolvers.pagination`; `totalCount`
runs its count only when a client selects it.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.interface(description="An object with a stable, opaque global id.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="The opaque global id: pass it to `Query.node` (or a mutation's "
        "`petitionId`) as it is; never build or parse one. A malformed id is refused with "
        "INVALID_ID."
    )


@strawberry.type(
    name="PageInfo",
    description="Where a page sits in its list, and the cursors to fetch the pages around it.",
)
class PageInfoType:
    has_next_page: bool = strawberry.field(
        description="Paging forward: whether more items follow this page. Paging backward "
        "(`last`/`before`): true when `before` was given."
    )
    has_previous_page: bool = strawberry.field(
        description="Paging backward: whether more items precede this page. Paging forward: "
        "true when `after` was given."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty. Pass "
        "it as `before` to read the page before."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item; null when the page is empty. Pass it "
        "as `after` to read the next page."
    )


@strawberry.type(
    name="Edge", description="One item of a page, with the cursor that marks its place."
)
class EdgeType(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque; pass it as `after` (or `before`) to continue from this item, "
        "with the same list and orderBy. A cursor of another kind is refused with "
        "INVALID_CURSOR."
    )
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    name="Connection",
    description="One page of a list (a Relay cursor connection), paginated by cursor, not "
    "by offset. A page asks for 1 to 100 items; more or fewer is PAGE_SIZE_OUT_OF_RANGE.",
)
class ConnectionType(Generic[T]):
    edges: list[EdgeType[T]] = strawberry.field(
        description="The page's items with their cursors, in the list's order."
    )
    nodes: list[T] = strawberry.field(
        description="The page's items, in the list's order (the same as edges' nodes)."
    )
    page_info: PageInfoType = strawberry.field(description="Cursors and whether more pages exist.")

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.counter()  # type: ignore[attr-defined]
