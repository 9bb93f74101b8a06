"""What every resolver of the schema is handed, and two helpers for reading rows."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from resolvers.ids import global_id

GraphInfo = Info[Context, None]


def loaded(row: Any, relation: str) -> bool:
    """Whether `relation` was loaded with `row` (so reading it costs no query)."""
    return relation in row.__dict__


def node_id(type_name: str) -> Any:
    """The `id` field of a Node: the row's id as an opaque global id of `type_name`."""

    def resolve(root: Any) -> strawberry.ID:
        return strawberry.ID(global_id(type_name, root.id))

    return strawberry.field(resolver=resolve, description="The opaque global id.")
