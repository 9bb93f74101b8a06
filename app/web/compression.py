"""Compressed responses (brotli where the client takes it, else gzip) and conditional GETs.

A response is compressed when its type is text-like and it is at least `MINIMUM_SIZE`
bytes, or streamed (an export), in which case every chunk is flushed as it is compressed so
the download progresses. Such responses say `Vary: Accept-Encoding`.

A strong ETag names exact bytes, so a compressed body gets its own: `"<tag>-br"`,
`"<tag>-gzip"`. A complete 200 response to a GET or HEAD whose ETag the request's
`If-None-Match` names is answered 304 with no body (streamed responses check their own
ETag before they start, without reading anything: see `app.web.export_routes`).
"""

from __future__ import annotations

import zlib
from typing import Any

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.etag import IfNoneMatchError, if_none_match

MINIMUM_SIZE = 512
BROTLI_QUALITY = 4
GZIP_LEVEL = 5
COMPRESSIBLE = (
    "application/json",
    "application/x-ndjson",
    "application/graphql-response+json",
    "application/javascript",
    "image/svg+xml",
    "text/",
)
COMPRESSIBLE_PATHS = ("/log/tile/entries/",)
"""Served as application/octet-stream, as C2SP tlog-tiles has it, yet text that compresses
(entry bundles SHOULD be compressed); the hash tiles beside them are random and are not."""
NOT_MODIFIED_HEADERS = ("etag", "cache-control", "vary", "expires", "content-location", "date")


def negotiate(accept_encoding: str) -> str | None:
    """ "br", "gzip" or None (identity) for an Accept-Encoding header."""
    accepted: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            accepted[name.strip()] = quality
    for encoding in ("br", "gzip"):
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return None


def _matches(header: str | None, etag: str) -> bool:
    """A malformed If-None-Match matches nothing: the full response is always correct."""
    try:
        return if_none_match(header, etag)
    except IfNoneMatchError:
        return False


class _Encoder:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        if encoding == "br":
            self._brotli = brotli.Compressor(quality=BROTLI_QUALITY)
        else:
            self._gzip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)

    def chunk(self, data: bytes) -> bytes:
        if self.encoding == "br":
            return self._brotli.process(data) + self._brotli.flush()
        return self._gzip.compress(data) + self._gzip.flush(zlib.Z_SYNC_FLUSH)

    def finish(self, data: bytes) -> bytes:
        if self.encoding == "br":
            return self._brotli.process(data) + self._brotli.finish()
        return self._gzip.compress(data) + self._gzip.flush(zlib.Z_FINISH)


class Compression:
    def __init__(self, app: ASGIApp, minimum_size: int = MINIMUM_SIZE) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        responder = _Responder(
            send,
            negotiate(request.get("accept-encoding", "")),
            request.get("if-none-match") if scope["method"] in ("GET", "HEAD") else None,
            self.minimum_size,
            by_path=scope["path"].startswith(COMPRESSIBLE_PATHS),
        )
        await self.app(scope, receive, responder.send)


class _Responder:
    def __init__(
        self,
        send: Send,
        encoding: str | None,
        if_none_match: str | None,
        minimum_size: int,
        *,
        by_path: bool = False,
    ) -> None:
        self._send = send
        self.by_path = by_path
        self.encoding = encoding
        self.if_none_match = if_none_match
        self.minimum_size = minimum_size
        self.start: Message | None = None
        self.encoder: _Encoder | None = None
        self.passing = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body" or self.passing:
            await self._send(message)
            return
        if self.encoder is not None:
            await self._body(message)
            return
        await self._first_body(message)

    async def _first_body(self, message: Message) -> None:
        assert self.start is not None
        body: bytes = message.get("body", b"")
        streaming = bool(message.get("more_body", False))
        headers = MutableHeaders(scope=self.start)
        status = self.start["status"]
        compressible = (
            status not in (204, 304)
            and "content-encoding" not in headers
            and (self.by_path or headers.get("content-type", "").startswith(COMPRESSIBLE))
        )
        if compressible or status == 304:  # a 304 repeats the Vary of its 200
            headers.add_vary_header("Accept-Encoding")
        encoding = self.encoding if compressible else None
        if encoding and not streaming and len(body) < self.minimum_size:
            encoding = None
        etag = headers.get("etag")
        if etag and encoding and not etag.startswith("W/"):
            etag = f'{etag[:-1]}-{encoding}"'
            headers["etag"] = etag
        if etag and status == 200 and not streaming and _matches(self.if_none_match, etag):
            await self._not_modified(headers)
            return
        if encoding is None:
            self.passing = True
            await self._send(self.start)
            await self._send(message)
            return
        self.encoder = _Encoder(encoding)
        headers["content-encoding"] = encoding
        if streaming:
            del headers["content-length"]
            await self._send(self.start)
            await self._body(message)
            return
        compressed = self.encoder.finish(body)
        headers["content-length"] = str(len(compressed))
        await self._send(self.start)
        await self._send({"type": "http.response.body", "body": compressed})

    async def _body(self, message: Message) -> None:
        assert self.encoder is not None
        body: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        data = self.encoder.chunk(body) if more else self.encoder.finish(body)
        await self._send({"type": "http.response.body", "body": data, "more_body": more})

    async def _not_modified(self, headers: MutableHeaders) -> None:
        kept: list[tuple[bytes, bytes]] = [
            (name, value)
            for name, value in headers.raw
            if name.decode("latin-1").lower() in NOT_MODIFIED_HEADERS or name == b"x-request-id"
        ]
        self.passing = True
        start: dict[str, Any] = {"type": "http.response.start", "status": 304, "headers": kept}
        await self._send(start)
        await self._send({"type": "http.response.body", "body": b""})
