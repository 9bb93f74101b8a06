"""`/files/<sha256>`: an attachment's bytes, streamed from the database a chunk at a time.

A published attachment is served to anyone; a private one to the bearer of a grant that
the API put in its url for a reader who may see it (`app.services.attachments.grant`),
under that attachment's own name: a grant is for one attachment, so holding the same
bytes as another petitioner's file tells nothing of theirs.
Absent and not allowed are the same 404, so the address tells nothing of a file that is
not public. Every download is an attachment, never shown inline, its type never sniffed
and its page sandboxed: an uploaded file cannot run in this site's origin.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from app.domain.timezone import now
from app.services.attachments import granted
from app.settings import Settings
from app.web.unavailable import answers_unavailable
from db import blobs
from db.models import Attachment, Blob

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_GRANT = 64
PUBLIC_MAX_AGE = 300
Endpoint = Callable[[Request], Awaitable[Response]]


def _disposition(filename: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_endpoint(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Endpoint:
    async def download(request: Request) -> Response:
        sha256 = request.path_params["sha256"]
        grant = request.query_params.get("grant", "")
        if not SHA256.fullmatch(sha256) or len(grant) > MAX_GRANT:
            raise HTTPException(404)
        granted_id = granted(settings.secret_key, sha256, grant, now()) if grant else None
        which = Attachment.id == granted_id if granted_id is not None else Attachment.is_public
        async with sessions() as session:
            found = (
                await session.execute(
                    select(
                        Attachment.filename, Attachment.media_type, Attachment.is_public, Blob.size
                    )
                    .join(Blob, Blob.sha256 == Attachment.sha256)
                    .where(Attachment.sha256 == sha256, which)
                    .order_by(Attachment.id)
                    .limit(1)
                )
            ).first()
        if found is None:
            raise HTTPException(404)
        public = bool(found.is_public) and granted_id is None
        headers = {
            "Content-Length": str(found.size),
            "Content-Disposition": _disposition(found.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cross-Origin-Resource-Policy": "same-origin",
            "ETag": f'"{sha256}"',
            "Cache-Control": f"public, max-age={PUBLIC_MAX_AGE}" if public else "private, no-store",
        }
        return StreamingResponse(
            blobs.chunks(sessions, sha256), media_type=found.media_type, headers=headers
        )

    return answers_unavailable(download)
