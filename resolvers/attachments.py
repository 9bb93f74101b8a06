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


async def may_read(ctx: Context, attachment: Attachment) -> bool:
    """Whether this reader may open `attachment`: a published one anyone; any other its
    petition's petitioner, assigned agency and the Government Office. (An answer's
    documents on a private petition are listed to all, for the seal's digests, but
    named and downloadable only so.)"""
    if attachment.is_public:
        return True
    petition = await ctx.loaders.petition.load(attachment.petition_id)
    return petition is not None and await ctx.may_see_private(petition.id, petition.agency_id)


async def filename(ctx: Context, attachment: Attachment) -> str | None:
    return attachment.filename if await may_read(ctx, attachment) else None


async def download_url(ctx: Context, attachment: Attachment) -> str | None:
    path = f"/files/{attachment.sha256}"
    if attachment.is_public:
        return path
    if not await may_read(ctx, attachment):
        return None
    ctx.no_store = True
    token = attachments.grant(ctx.settings.secret_key, attachment.id, attachment.sha256, ctx.now)
    return f"{path}?grant={token}"
