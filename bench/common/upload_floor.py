"""The raw floor for attachments (bench/uploads.py): a bare Starlette app that reads a
multipart upload as pakn's stack does (Starlette's parser, spooled), hashes the file a
chunk at a time and keeps it in one file (`FLOOR_FILE`), and serves that file back. No
GraphQL, no checks, no database: what moving the bytes costs at the least."""

from __future__ import annotations

import hashlib
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

CHUNK = 256 * 1024
STORE = os.environ.get("FLOOR_FILE", "/tmp/pakn-upload-floor.bin")


async def upload(request: Request) -> Response:
    form = await request.form()
    part = form["0"]
    digest = hashlib.sha256()
    with open(STORE, "wb") as out:  # noqa: ASYNC230 (as Starlette spools: a local write)
        while chunk := await part.read(CHUNK):  # type: ignore[union-attr]
            digest.update(chunk)
            out.write(chunk)
    return JSONResponse({"sha256": digest.hexdigest()})


async def download(_request: Request) -> Response:
    return FileResponse(STORE, media_type="application/pdf")


async def health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/upload", upload, methods=["POST"]),
        Route("/download", download),
        Route("/health", health),
    ]
)
