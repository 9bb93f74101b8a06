"""A webhook receiver on loopback for the tests: a small HTTP/1.1 server on asyncio that
verifies each delivery's signature with `standardwebhooks`, as a newsroom would, and
answers as the test tells it (200, 500, a redirect, 410, or only after a delay)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from tests.support.server import free_port

MAX_REQUEST_BYTES = 1 << 20


@dataclass
class Delivery:
    """One request as it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    payload: Any
    """The verified JSON body; None when the signature did not verify."""
    problem: str | None
    """Why it did not verify."""


@dataclass
class Behaviour:
    status: int = 200
    delay_seconds: float = 0.0
    location: str | None = None
    retry_after: str | None = None


@dataclass
class Receiver:
    """`async with Receiver(secret) as receiver:` serves on 127.0.0.1:`port` for the block;
    `start()`/`stop()` bring it up and down on the same port (a receiver that is down)."""

    secret: str | None = None
    port: int = field(default_factory=free_port)
    behaviour: Behaviour = field(default_factory=Behaviour)
    deliveries: list[Delivery] = field(default_factory=list)
    tls: ssl.SSLContext | None = None
    """Serve HTTPS with this context (`tests.support.tls.tls_pair`)."""
    host_name: str = "127.0.0.1"
    """The host its URL names."""
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host_name}:{self.port}/hooks/pakn"

    @property
    def verified(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.payload is not None]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, ssl=self.tls)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._handlers):
                task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Receiver:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            await self._answer(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            if task is not None:
                self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = min(int(headers.get("content-length", "0")), MAX_REQUEST_BYTES)
        body = await reader.readexactly(length)
        payload, problem = None, None
        if self.secret is not None:
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except (WebhookVerificationError, ValueError) as failed:
                problem = str(failed)
        else:
            payload = json.loads(body)
        self.deliveries.append(Delivery(method, path, headers, body, payload, problem))
        behaviour = self.behaviour
        if behaviour.delay_seconds:
            await asyncio.sleep(behaviour.delay_seconds)
        extra = f"Location: {behaviour.location}\r\n" if behaviour.location else ""
        if behaviour.retry_after is not None:
            extra += f"Retry-After: {behaviour.retry_after}\r\n"
        writer.write(
            f"HTTP/1.1 {behaviour.status} X\r\n{extra}Content-Length: 0\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
