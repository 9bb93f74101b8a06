"""`Query.node`: any entity by its global id, through the request's loaders."""

from __future__ import annotations

from typing import Any

from resolvers.attachments import attachment_by_id
from resolvers.context import Context
from resolvers.ids import parse_global_id


async def node_by_id(ctx: Context, token: str) -> Any:
    type_name, ident = parse_global_id(token)
    if type_name == "Attachment":
        return await attachment_by_id(ctx, ident)
    loader = {
        "Agency": ctx.loaders.agency,
        "Petition": ctx.loaders.petition,
        "Answer": ctx.loaders.answer,
        "PetitionEvent": ctx.loaders.event,
    }[type_name]
    return await loader.load(ident)
