"""Real SMTP servers on loopback for the e-mail tests: `SmtpServer` (aiosmtpd, in a thread
of its own) that keeps what it receives, or refuses recipients or messages with a code the
test sets, or keeps a message and then hangs or hangs up without a reply, optionally over
TLS (STARTTLS or from the start) and with a login it requires;
`SilentServer`, which accepts connections and never says a word (a hung server); and
`closed_port`, where nothing listens."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
import warnings
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from tests.support.server import free_port

HANG = "hang"
HANG_UP = "hang up"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    encrypted: bool = False
    """The message came over TLS."""
    login: str | None = None
    """Who logged in to send it."""

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
        self.logins: list[tuple[str, bool]] = []
        """Every login tried: the user name and whether it was accepted."""
        self.account: tuple[str, str] | None = None

    async def handle_RCPT(
        self, _server: Any, session: Any, envelope: Any, address: str, _options: list[str]
    ) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self.data_reply
        if reply is not None and reply not in (HANG, HANG_UP):
            return reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        login = session.auth_data.login.decode() if session.authenticated else None
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, encrypted, login)
            )
        if reply == HANG_UP:
            server.transport.abort()
        if reply in (HANG, HANG_UP):
            await asyncio.sleep(3600)  # cancelled when the server stops
        return "250 Message accepted"

    def authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.account is None:
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        accepted = (user, password) == self.account
        with self.lock:
            self.logins.append((user, accepted))
        return AuthResult(success=accepted, handled=False, auth_data=data)


class _Controller(Controller):
    def factory(self) -> SMTP:
        """Over TLS from the start aiosmtpd must be told AUTH needs no STARTTLS, and warns
        of it for every connection; the connection is TLS all the same."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


class SmtpServer:
    """An SMTP server on 127.0.0.1 (a free port, or `port`), started and stopped by the
    `with` block; `received` is every message it took, in order.

    With `tls`, it offers STARTTLS and requires it (or, `implicit_tls`, speaks TLS from
    the start); with `account` (user, password) as well, it requires that login."""

    def __init__(
        self,
        port: int | None = None,
        *,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        account: tuple[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self._handler = _Handler()
        self._handler.account = account
        self._implicit_tls = implicit_tls
        options: dict[str, Any] = {}
        if tls is not None and implicit_tls:
            # aiosmtpd counts only STARTTLS as TLS when it decides whether to offer AUTH
            options.update(ssl_context=tls, auth_require_tls=False)
        elif tls is not None:
            options.update(tls_context=tls, require_starttls=True)
        if account is not None:
            options.update(auth_required=True, authenticator=self._handler.authenticate)
        self._controller = _Controller(
            self._handler, hostname="127.0.0.1", port=self.port, **options
        )

    @property
    def url(self) -> str:
        return f"{'smtps' if self._implicit_tls else 'smtp'}://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        """The URL with a login in it, quoted as PAKN_SMTP_URL wants it."""
        scheme, rest = self.url.split("://")
        return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"

    @property
    def logins(self) -> list[tuple[str, bool]]:
        with self._handler.lock:
            return list(self._handler.logins)

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
