"""A private petition's free text for the reader of this request (`app.domain.visibility`).

An answer's body, an event's note and a rating's comment belong to a petition; whether
the reader sees them depends on that petition (private or not, its agency) and on who
asks. The petition is usually at hand: the Petition field that lists the answers, events
or rating remembers it (`remember`), so a public petition's text costs no query and no
await. Reached another way (`node(id:)`, a subscription's event), the petition is
loaded through the request's loader.
"""

from __future__ import annotations

from collections.abc import Awaitable

from app.domain.visibility import shown_text
from db.models import Petition
from resolvers.context import Context


def remember(ctx: Context, petition: Petition) -> None:
    """`petition` is this request's to judge its answers', events' and rating's text by."""
    ctx.loaders.known_petitions[petition.id] = petition


def text_for(
    ctx: Context, petition_id: int, text: str | None
) -> str | Awaitable[str | None] | None:
    """`text` of the petition `petition_id` as this request's reader sees it: the text
    itself at once when the petition is known to be public, else an awaitable."""
    if text is None:
        return None
    petition = ctx.loaders.known_petitions.get(petition_id)
    if petition is not None and not petition.is_private:
        return text
    return _text_for(ctx, petition_id, petition, text)


async def _text_for(
    ctx: Context, petition_id: int, petition: Petition | None, text: str
) -> str | None:
    if petition is None:
        petition = await ctx.loaders.petition.load(petition_id)
        if petition is None:
            return None
        remember(ctx, petition)
    reads = petition.is_private and await ctx.may_see_private(petition.id, petition.agency_id)
    return shown_text(text, petition.is_private, reads)
