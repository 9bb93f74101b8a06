"""E-mails to consenting petitioners (#15, point 4): queued in the event's transaction,
sent by the outbox sender (`app.services.outbox`) over SMTP (`aiosmtplib`).

`queue_email` queues one message, recipient 'petitioner', for an ASSIGN, PROGRESS_UPDATE,
ANSWER or OVERDUE event of a petition whose petitioner consented (`notify_by_email`) and
gave an address, only where PAKN_SMTP_URL is set: without it nothing is queued, so nothing
piles up. The address is read from the contact when the message is sent, never copied
into the outbox; a contact erased (or unsubscribed) meanwhile gives the message up, and
erasure and unsubscribing delete the petition's pending e-mails in their own transaction.

`EmailChannel` is at most once: a message whose sender stopped during the attempt is given
up as uncertain, never sent twice, and so is one the server may have taken: once DATA is
issued, a timeout or a lost connection gives it up as uncertain, and only a definite 4xx
reply to the message is retried. Each attempt's Message-ID is derived from the outbox id,
so a copy that did go out twice would be recognisable as one message. Before DATA, a
temporary failure (a 4xx reply, a refused connection, a timeout, a lost connection, and
also a refused login or sender, which an operator can fix within the message's 3 days) is
retried after a minute, doubling to at most an hour; a 5xx refusal of the recipient or of
the message gives it up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib
from aiosmtplib.email import flatten_message
from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import email_notice
from app.domain.email_notice import CHANNEL, EMAIL_ACTIONS, RECIPIENT, Notice
from app.domain.timezone import now as current_time
from app.services.outbox import (
    MAX_AGE,
    Delivered,
    GiveUp,
    Outcome,
    RetryLater,
    end_reads,
    enqueue,
)
from db.models import Agency, OutboxMessage, Petition, PetitionerContact, PetitionEvent

SMTP_TIMEOUT_SECONDS = 10.0
"""Each SMTP step's time limit (connect, a reply); a whole attempt gets three times it."""
_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>]+>?")


async def queue_email(
    session: AsyncSession,
    event: PetitionEvent,
    petition: Petition,
    *,
    enabled: bool,
    now: datetime | None = None,
) -> bool:
    """Queue, in the event's transaction, the e-mail `event` owes the petitioner; return
    whether one was queued."""
    if not enabled or event.action not in EMAIL_ACTIONS:
        return False
    return await enqueue(
        session,
        event=event,
        petition_id=petition.id,
        channel=CHANNEL,
        recipient=RECIPIENT,
        now=now or current_time(),
        max_age=MAX_AGE,
        only_if=and_(
            PetitionerContact.petition_id == petition.id,
            PetitionerContact.notify_by_email.is_(True),
            PetitionerContact.email.is_not(None),
        ),
    )


async def drop_queued(session: AsyncSession, petition_ids: list[int]) -> int:
    """Delete, in the caller's transaction, these petitions' e-mails not yet sent nor given
    up; return how many."""
    if not petition_ids:
        return 0
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.petition_id.in_(petition_ids),
            OutboxMessage.channel == CHANNEL,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        ),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def unsubscribe(session: AsyncSession, petition_id: int) -> int | None:
    """Withdraw the petitioner's consent and drop the petition's queued e-mails, in the
    caller's transaction; return how many were dropped, None when the petition has no
    contact (erased, or no such petition). Doing it twice changes nothing more."""
    found = await session.execute(
        update(PetitionerContact)
        .where(PetitionerContact.petition_id == petition_id)
        .values(notify_by_email=False),
        execution_options={"synchronize_session": False},
    )
    if not found.rowcount:  # type: ignore[attr-defined]
        return None
    return await drop_queued(session, [petition_id])


@dataclass(frozen=True)
class SmtpServer:
    """PAKN_SMTP_URL: smtp://[user:password@]host[:port] (STARTTLS when the server offers
    it, and required before a login) or smtps://... (TLS from the start)."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None = field(repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("PAKN_SMTP_URL must be smtp://[user:password@]host[:port]")
        implicit_tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit_tls else 25),
            implicit_tls=implicit_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @property
    def start_tls(self) -> bool | None:
        """aiosmtplib's `start_tls`: never over TLS from the start; required when there is
        a login, so that a password never goes in the clear; otherwise if offered."""
        if self.implicit_tls:
            return False
        return True if self.username else None


def _scrubbed(text: str, address: str) -> str:
    """An SMTP reply without the addresses it quotes (`pakn outbox` shows the errors)."""
    return _ADDRESS.sub("<address>", text).replace(address, "<address>")[:400]


def _reply(error: aiosmtplib.SMTPResponseException, address: str) -> str:
    return f"{error.code} {_scrubbed(str(error.message), address)}".strip()


class EmailChannel:
    """The outbox channel 'email' (`app.services.outbox.OutboxChannel`)."""

    name = CHANNEL
    at_most_once = True
    max_age: timedelta = MAX_AGE

    def __init__(
        self,
        smtp_url: str,
        *,
        mail_from: str,
        public_url: str,
        secret_key: str,
        timeout: float = SMTP_TIMEOUT_SECONDS,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """`tls_context` replaces the system's trusted certificates (tests use their own
        CA); the server's certificate and name are checked either way."""
        self._server = SmtpServer.parse(smtp_url)
        self._tls_context = tls_context
        self._mail_from = mail_from
        self._envelope_from = parseaddr(mail_from)[1] or "no-reply@pakn.invalid"
        self._public_url = public_url.rstrip("/")
        self._secret_key = secret_key
        self._timeout = timeout

    def backoff(self, attempts: int) -> float:
        return email_notice.backoff_seconds(attempts)

    def postpone(self, message: OutboxMessage, now: datetime) -> float | None:
        """Never: each message has its own recipient."""
        return None

    async def deliver(self, session: AsyncSession, message: OutboxMessage) -> Outcome:
        found = (
            await session.execute(
                select(PetitionEvent, Petition)
                .join(Petition, Petition.id == PetitionEvent.petition_id)
                .where(PetitionEvent.id == message.event_id)
            )
        ).first()
        if found is None:
            return GiveUp("the event is gone")
        event, petition = found
        contact = (
            await session.execute(
                select(PetitionerContact.email, PetitionerContact.notify_by_email).where(
                    PetitionerContact.petition_id == petition.id
                )
            )
        ).first()
        if contact is None:
            return GiveUp("the petitioner's contact data was erased")
        address, consents = contact
        if not consents:
            return GiveUp("the petitioner unsubscribed")
        if not address:
            return GiveUp("the petitioner gave no e-mail address")
        agency_id = event.agency_id or petition.agency_id
        agency = await session.get(Agency, agency_id) if agency_id is not None else None
        notice = Notice(
            action=event.action,
            tracking_code=petition.tracking_code,
            at=event.at,
            agency_name=agency.name if agency else None,
            agency_name_en=agency.name_en if agency else None,
            title=None if petition.is_private else petition.title,
        )
        email = email_notice.build_message(
            notice,
            outbox_id=message.id,
            to=address,
            mail_from=self._mail_from,
            public_url=self._public_url,
            token=email_notice.unsubscribe_token(self._secret_key, petition.id),
            date=current_time(),
        )
        await end_reads(session)
        return await self._send(email, address)

    async def _send(self, email: EmailMessage, address: str) -> Outcome:
        """One SMTP transaction, step by step, so that what failed is known: before DATA
        nothing was handed over and a temporary failure is retried; once DATA is issued
        the server may have taken the message, so only a definite 4xx reply is retried and
        a timeout or a lost connection gives the message up as uncertain."""
        server = self._server
        client = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=server.start_tls,
            tls_context=self._tls_context,
            timeout=self._timeout,
        )
        try:
            return await self._transaction(client, email, address)
        finally:
            client.close()

    async def _transaction(
        self, client: aiosmtplib.SMTP, email: EmailMessage, address: str
    ) -> Outcome:
        server = self._server
        data_issued = False
        try:
            async with asyncio.timeout(self._timeout * 3):
                await client.connect()
                eight_bit = client.supports_extension("8BITMIME")
                await client.mail(
                    self._envelope_from, options=["BODY=8BITMIME"] if eight_bit else []
                )
                await client.rcpt(address)
                content = flatten_message(email, cte_type="8bit" if eight_bit else "7bit")
                data_issued = True
                await client.data(content)
        except aiosmtplib.SMTPResponseException as error:
            if data_issued:
                text = f"message refused: {_reply(error, address)}"
                if 400 <= error.code < 500:
                    return RetryLater(text)
                return GiveUp(text if 500 <= error.code < 600 else f"uncertain: {text}")
            if isinstance(error, aiosmtplib.SMTPRecipientRefused):
                text = f"recipient refused: {_reply(error, address)}"
                return GiveUp(text) if 500 <= error.code < 600 else RetryLater(text)
            return RetryLater(f"{type(error).__name__}: {_reply(error, address)}")
        except TimeoutError:
            if data_issued:
                return GiveUp(
                    f"uncertain: no reply to the message in time ({server.host}:{server.port}),"
                    " which it may have taken"
                )
            return RetryLater(f"timed out after {self._timeout:g} s ({server.host}:{server.port})")
        except aiosmtplib.SMTPConnectError as error:
            cause = error.__cause__
            if isinstance(cause, ssl.SSLCertVerificationError):
                reason = f"certificate not trusted: {cause.verify_message}"
            elif isinstance(cause, ssl.SSLError):
                reason = f"TLS failed: {cause.reason or type(cause).__name__}"
            elif isinstance(cause, OSError) and cause.errno:
                reason = os.strerror(cause.errno).lower()
            else:
                reason = _scrubbed(str(error), address)
            return RetryLater(f"cannot connect to {server.host}:{server.port}: {reason}")
        except (aiosmtplib.SMTPException, OSError) as error:
            detail = _scrubbed(str(error), address) or type(error).__name__
            if data_issued:
                return GiveUp(f"uncertain: {type(error).__name__}: {detail}")
            return RetryLater(f"{type(error).__name__}: {detail}")
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            async with asyncio.timeout(self._timeout):
                await client.quit()
        return Delivered()
