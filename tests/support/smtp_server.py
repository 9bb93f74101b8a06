"""Real SMTP servers on loopback for the e-mail tests: `SmtpServer` (aiosmtpd, in a thread
of its own) that keeps what it receives, or refuses recipients or messages with a code the
test sets, or keeps a message and then hangs or hangs up without a reply;
`SilentServer`, which accepts connections and never says a word (a hung server); and
`closed_port`, where nothing listens."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.server import free_port

HANG = "hang"
HANG_UP = "hang up"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())


class _Handler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.rcpt_reply: str | None = None
        """Refuse every recipient with this reply (e.g. '550 5.1.1 no such user')."""
        self.data_reply: str | None = None
        """After the message's content: HANG (keep it, never reply), HANG_UP (keep it,
        close the connection without a reply), or a reply refusing it (not kept)."""
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, _server: Any, session: Any, envelope: Any, address: str, _options: list[str]
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, _session: Any, envelope: Any) -> str:
        reply = self.data_reply
        if reply is not None and reply not in (HANG, HANG_UP):
            return reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        if reply == HANG_UP:
            server.transport.abort()
        if reply in (HANG, HANG_UP):
            await asyncio.sleep(3600)  # cancelled when the server stops
        return "250 Message accepted"


class SmtpServer:
    """An SMTP server on 127.0.0.1 (a free port, or `port`), started and stopped by the
    `with` block; `received` is every message it took, in order."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._handler = _Handler()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self._handler.lock:
            return list(self._handler.received)

    def refuse_recipients(self, reply: str | None) -> None:
        self._handler.rcpt_reply = reply

    def after_data(self, reply: str | None) -> None:
        """How to answer the message's content: HANG, HANG_UP, a refusal, or (None) 250."""
        self._handler.data_reply = reply

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._controller.stop()


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (no SMTP greeting)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        self._socket.settimeout(0.1)
        while not self._stop.is_set():
            try:
                connection, _address = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self._held:
            connection.close()
        self._socket.close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    return free_port()
