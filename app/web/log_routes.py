"""`/log/`: the transparency log as C2SP tlog-tiles serves it (#16, point 3).

`/log/checkpoint` is the latest signed checkpoint with its witnesses' cosignatures (text,
cached for seconds). The tiles and
entry bundles are those of the tree that checkpoint signs: `/log/tile/<L>/<N>` full (256
hashes), `/log/tile/<L>/<N>.p/<W>` partial, `/log/tile/entries/<N>[.p/<W>]` the entries,
each after its big-endian uint16 length. What a tile holds never changes once the signed
tree covers it, so tiles are cacheable for a year; one the signed tree does not cover yet,
and any path the specification does not spell, is a 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.domain import tiles
from app.domain.merkle import HASH_SIZE
from app.services import witness_push
from app.web.unavailable import answers_unavailable
from db import log_checkpoints
from db.queries import log

IMMUTABLE = "public, max-age=31536000, immutable"
CHECKPOINT_MAX_AGE = 5
Endpoint = Callable[[Request], Awaitable[Response]]


def checkpoint_endpoint(sessions: async_sessionmaker[AsyncSession]) -> Endpoint:
    async def checkpoint(_request: Request) -> Response:
        async with sessions() as session:
            latest = await log_checkpoints.latest(session)
            if latest is None:
                raise HTTPException(404)
            note = await witness_push.with_cosignatures(session, latest)
        return Response(
            note,
            media_type="text/plain; charset=utf-8",
            headers={"Cache-Control": f"public, max-age={CHECKPOINT_MAX_AGE}"},
        )

    return answers_unavailable(checkpoint)


def tile_endpoint(sessions: async_sessionmaker[AsyncSession]) -> Endpoint:
    async def tile(request: Request) -> Response:
        path = tiles.parse(request.path_params["path"])
        if path is None:
            raise HTTPException(404)
        async with sessions() as session:
            latest = await log_checkpoints.latest(session)
            signed = latest.tree_size if latest is not None else 0
            if tiles.width_at(path.level or 0, signed, path.index) < path.width:
                raise HTTPException(404)
            if path.level is None:
                body, count = await log.entry_bundle(session, path.index, path.width)
            else:
                body = await log.tile(session, path.level, path.index, path.width)
                count = len(body) // HASH_SIZE
        if count != path.width:  # the stored tree lost what it signed: nothing to cache
            raise HTTPException(404, headers={"Cache-Control": "no-store"})
        return Response(
            body, media_type="application/octet-stream", headers={"Cache-Control": IMMUTABLE}
        )

    return answers_unavailable(tile)
