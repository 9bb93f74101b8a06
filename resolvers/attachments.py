"""Who sees which attachment, and where to download it.

A petition's attachments are its petitioner's evidence (an identity card, an address):
private unless published, whatever the petition's own privacy, so the public sees only
the published ones; the petitioner, the agency handling it and the Government Office see
them all (`Context.may_see_private`). A private one's url carries a short-lived grant
(`app.services.attachments.grant`) instead of any credential.
"""

from __future__ import annotations

from app.services import attachments
from db.models import Attachment, Petition
from resolvers.context import Context
from resolvers.private_text import remember


async def petition_attachments(ctx: Context, petition: Petition) -> list[Attachment]:
    remember(ctx, petition)
    found = await ctx.loaders.attachments.load(petition.id)
    if all(attachment.is_public for attachment in found):
        return found
    if await ctx.may_see_private(petition.id, petition.agency_id):
        return found
    return [attachment for attachment in found if attachment.is_public]


async def attachment_by_id(ctx: Context, ident: int) -> Attachment | None:
    """`node(id:)` of an attachment: null unless this reader may see it."""
    attachment = await ctx.session.get(Attachment, ident)
    if attachment is None:
        return None
    petition = await ctx.loaders.petition.load(attachment.petition_id)
    if petition is None:
        return None
    if attachment.is_public or await ctx.may_see_private(petition.id, petition.agency_id):
        return attachment
    return None


def download_url(ctx: Context, attachment: Attachment) -> str:
    path = f"/files/{attachment.sha256}"
    if attachment.is_public:
        return path
    ctx.no_store = True
    return f"{path}?grant={attachments.grant(ctx.settings.secret_key, attachment.sha256, ctx.now)}"
