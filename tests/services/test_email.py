"""E-mails to consenting petitioners (#15, point 4) against a real SMTP server on loopback
(aiosmtpd, started by the test), on both databases: who gets which e-mail and what it says,
that nothing is sent twice (two runs, two senders at once, a sender stopped mid-send), and
what a bad SMTP server does (refusing with 5xx, nothing listening, hanging): retried or
given up, the reason shown by `pakn outbox`. The sender runs with a clock the test
controls; the test servers queue but do not send (`RunningServer`), but for the one test of
the server's own background sender."""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain import email_notice
from app.domain.timezone import now, to_local
from app.services import outbox
from app.services.email_outbox import EmailChannel
from db.engine import create_engine, is_sqlite, session_factory
from db.models import OutboxMessage, Petition, PetitionerContact, PetitionEvent
from db.transactions import WriteGate
from tests.support.cli import pakn
from tests.support.sample import SUBMISSION
from tests.support.server import RunningServer
from tests.support.smtp_server import HANG, HANG_UP, SilentServer, SmtpServer, closed_port
from tests.support.tls import tls_pair
from tests.support.waiting import wait_until
from tests.support.workflow import (
    TEST_KEY,
    Workflow,
    make_tokens,
    serving_workflow,
    workflow_settings,
)

PUBLIC_URL = "https://pakn.example.vn"
MAIL_FROM = "PAKN Chính phủ <no-reply@pakn.example.vn>"
ADDRESS = SUBMISSION["petitioner"]["email"]
PROGRESS_NOTE = "Sở đã cử cán bộ xuống kiểm tra hiện trường."


class Clock:
    """The sender's time: a minute ahead, so what the test queues in its first minute
    (stamped with the real time) is due, however slow the machine."""

    def __init__(self) -> None:
        self.moment = now() + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@dataclass
class Mail:
    url: str
    smtp: SmtpServer
    workflow: Workflow
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    writes: WriteGate
    clock: Clock

    def channel(self, smtp_url: str | None = None, **options: Any) -> EmailChannel:
        return EmailChannel(
            smtp_url or self.smtp.url,
            mail_from=MAIL_FROM,
            public_url=PUBLIC_URL,
            secret_key=TEST_KEY,
            **options,
        )

    async def send(self, channel: EmailChannel | None = None) -> outbox.SendReport:
        return await outbox.send_due(
            self.sessions, self.writes, [channel or self.channel()], self.clock()
        )

    async def emails(self) -> list[OutboxMessage]:
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.channel == "email")
                    .order_by(OutboxMessage.id)
                )
            )

    async def petition_id(self, petition: dict[str, Any]) -> int:
        async with self.sessions() as session:
            found = await session.scalar(
                select(Petition.id).where(Petition.tracking_code == petition["trackingCode"])
            )
            assert found is not None
            return found

    async def actions(self) -> list[str]:
        async with self.sessions() as session:
            return [
                (await session.get_one(PetitionEvent, message.event_id)).action
                for message in await self.emails()
            ]

    def consenting(self, **overrides: Any) -> dict[str, Any]:
        """A petition submitted by a consenting petitioner, assigned to BTC."""
        person = {**SUBMISSION["petitioner"], "notifyByEmail": True}
        submitted = self.workflow.submit(petitioner=person, **overrides)
        return self.workflow.act(
            "assign",
            self.workflow.tokens.coordinator,
            submitted["petition"],
            agencyCode="BTC",
            fieldCode="DAT_DAI",
        ) | {"secret": submitted["secret"]}

    def outbox_report(self) -> str:
        done = pakn("outbox", database_url=self.url)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def mail(empty_database: str, smtp: SmtpServer) -> AsyncIterator[Mail]:
    tokens = await make_tokens(empty_database)
    engine = create_engine(empty_database)
    with serving_workflow(
        empty_database, tokens, smtp_url=smtp.url, public_url=PUBLIC_URL, mail_from=MAIL_FROM
    ) as workflow:
        yield Mail(
            empty_database,
            smtp,
            workflow,
            engine,
            session_factory(engine),
            WriteGate(serialise=is_sqlite(empty_database)),
            Clock(),
        )
    await engine.dispose()


async def test_a_consenting_petitioner_gets_one_email_per_step(mail: Mail) -> None:
    petition = mail.consenting()
    btc = mail.workflow.tokens.btc
    petition = mail.workflow.act("acknowledge", btc, petition)
    petition = mail.workflow.act("progress", btc, petition, note=PROGRESS_NOTE)
    mail.workflow.act("answer", btc, petition, body="Sở đã cấp giấy chứng nhận cho ông/bà.")
    assert await mail.actions() == ["ASSIGN", "PROGRESS_UPDATE", "ANSWER"]

    report = await mail.send()
    assert report.delivered == 3
    received = mail.smtp.received
    assert len(received) == 3
    code = petition["trackingCode"]
    token = email_notice.unsubscribe_token(TEST_KEY, await mail.petition_id(petition))
    agency = "Bộ Tài chính"
    for got, message, what in zip(
        received,
        await mail.emails(),
        [f"đã được tiếp nhận và chuyển đến {agency}", "đã có cập nhật tiến độ", "đã có trả lời"],
        strict=True,
    ):
        assert got.recipients == [ADDRESS] and got.sender == "no-reply@pakn.example.vn"
        headers = got.message
        assert headers["To"] == ADDRESS and headers["From"] == MAIL_FROM
        assert code in headers["Subject"] and what in headers["Subject"]
        assert headers["Message-ID"] == f"<pakn-outbox-{message.id}@pakn.example.vn>"
        assert headers["List-Unsubscribe"] == f"<{PUBLIC_URL}/unsubscribe/{token}>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = got.text
        assert what in text and "English: your petition" in text
        assert f"{PUBLIC_URL}/p/{code}" in text and f"{PUBLIC_URL}/unsubscribe/{token}" in text
        assert f"Tiêu đề: {SUBMISSION['title']}" in text
        assert SUBMISSION["body"] not in text and PROGRESS_NOTE not in text
        assert SUBMISSION["petitioner"]["fullName"] not in text
    assert "sent to Ministry of Finance" in received[0].text or "sent to" in received[0].text
    assert all(m.sent_at == mail.clock() and m.attempts == 1 for m in await mail.emails())

    mail.clock.advance(3600)
    assert (await mail.send()).attempted == 0
    assert len(mail.smtp.received) == 3


async def test_a_private_petitions_title_stays_out_of_the_email(mail: Mail) -> None:
    mail.consenting(isPrivate=True)
    await mail.send()
    (got,) = mail.smtp.received
    assert SUBMISSION["title"] not in got.text and "Tiêu đề" not in got.text


async def test_no_consent_no_email_and_consent_needs_an_address(mail: Mail) -> None:
    submitted = mail.workflow.submit()
    mail.workflow.act(
        "assign",
        mail.workflow.tokens.coordinator,
        submitted["petition"],
        agencyCode="BTC",
        fieldCode="DAT_DAI",
    )
    assert await mail.emails() == []
    person = {**SUBMISSION["petitioner"], "email": None, "notifyByEmail": True}
    refused = mail.workflow.server.gql(
        "mutation($i: SubmitPetitionInput!) { submitPetition(input: $i) { "
        "trackingCode userErrors { field code message } } }",
        {"i": {**SUBMISSION, "petitioner": person}},
    )["submitPetition"]
    assert refused["trackingCode"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["input", "petitioner", "email"], "REQUIRED")
    ]


async def test_without_an_smtp_url_nothing_is_queued(empty_database: str) -> None:
    tokens = await make_tokens(empty_database)
    with serving_workflow(empty_database, tokens) as workflow:
        person = {**SUBMISSION["petitioner"], "notifyByEmail": True}
        submitted = workflow.submit(petitioner=person)
        petition = workflow.act(
            "assign",
            tokens.coordinator,
            submitted["petition"],
            agencyCode="BTC",
            fieldCode="DAT_DAI",
        )
        petition = workflow.act("acknowledge", tokens.btc, petition)
        workflow.act("progress", tokens.btc, petition, note=PROGRESS_NOTE)
    engine = create_engine(empty_database)
    try:
        async with session_factory(engine)() as session:
            channels = await session.scalars(select(OutboxMessage.channel))
            assert "email" not in set(channels)
            consent = await session.scalar(select(PetitionerContact.notify_by_email))
            assert consent is True  # the consent is kept, for a server that has SMTP later
    finally:
        await engine.dispose()
    report = pakn("outbox", database_url=empty_database)
    assert "email: PAKN_SMTP_URL is unset" in report.stdout


async def test_a_down_smtp_server_is_retried_until_it_is_up(mail: Mail) -> None:
    mail.consenting()
    port = closed_port()
    down = mail.channel(f"smtp://127.0.0.1:{port}")
    report = await mail.send(down)
    assert report.retried == 1 and mail.smtp.received == []
    (message,) = await mail.emails()
    assert message.next_attempt_at == mail.clock() + timedelta(seconds=60)
    assert message.last_error and "refused" in message.last_error.lower()
    assert "email retrying (1):" in mail.outbox_report()

    mail.clock.advance(59)
    assert (await mail.send(down)).attempted == 0
    with SmtpServer(port) as up:
        mail.clock.advance(1)
        assert (await mail.send(down)).delivered == 1
        assert len(up.received) == 1
    (message,) = await mail.emails()
    assert message.attempts == 2 and message.sent_at is not None


async def test_backoff_doubles_to_an_hour() -> None:
    assert [email_notice.backoff_seconds(n) for n in (1, 2, 3, 6, 7, 8, 50)] == [
        60,
        120,
        240,
        1920,
        3600,
        3600,
        3600,
    ]


async def test_a_5xx_refusal_gives_up_with_the_reason_shown(mail: Mail) -> None:
    mail.consenting()
    mail.smtp.refuse_recipients(f"550 5.1.1 <{ADDRESS}>: no such user")
    report = await mail.send()
    assert report.given_up == 1 and mail.smtp.received == []
    (message,) = await mail.emails()
    assert message.failed_at == mail.clock()
    assert message.last_error == "recipient refused: 550 5.1.1 <address>: no such user"
    shown = mail.outbox_report()
    assert "email failed (1): recipient refused: 550 5.1.1 <address>: no such user" in shown
    assert ADDRESS not in shown
    mail.smtp.refuse_recipients(None)
    mail.clock.advance(7200)
    assert (await mail.send()).attempted == 0


async def test_a_4xx_refusal_is_retried(mail: Mail) -> None:
    mail.consenting()
    mail.smtp.refuse_recipients("451 4.3.0 try again later")
    assert (await mail.send()).retried == 1
    mail.smtp.refuse_recipients(None)
    mail.clock.advance(60)
    assert (await mail.send()).delivered == 1
    assert len(mail.smtp.received) == 1


@pytest.mark.parametrize("behaviour", [HANG, HANG_UP])
async def test_a_message_the_server_may_have_taken_is_never_sent_again(
    mail: Mail, behaviour: str
) -> None:
    """The server keeps the message, then its reply is lost (it hangs, or hangs up): the
    message may have been delivered, so it is given up as uncertain, not retried."""
    mail.consenting()
    mail.smtp.after_data(behaviour)
    report = await mail.send(mail.channel(timeout=2))
    assert report.given_up == 1 and report.retried == 0
    assert len(mail.smtp.received) == 1
    (message,) = await mail.emails()
    assert message.failed_at is not None and message.sent_at is None
    assert message.last_error is not None and message.last_error.startswith("uncertain: ")
    assert "email failed (1): uncertain: " in mail.outbox_report()

    mail.smtp.after_data(None)
    mail.clock.advance(3600)
    assert (await mail.send()).attempted == 0
    assert len(mail.smtp.received) == 1


async def test_a_4xx_reply_to_the_message_is_retried(mail: Mail) -> None:
    mail.consenting()
    mail.smtp.after_data("452 4.3.1 insufficient system storage")
    report = await mail.send()
    assert report.retried == 1 and mail.smtp.received == []
    (message,) = await mail.emails()
    assert message.last_error == "message refused: 452 4.3.1 insufficient system storage"
    mail.smtp.after_data(None)
    mail.clock.advance(60)
    assert (await mail.send()).delivered == 1
    assert len(mail.smtp.received) == 1


ACCOUNT = ("pakn@gov.vn", "mật khẩu:@/1")


@pytest.fixture
def trusting(tmp_path: Path) -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext]]:
    """A certificate for 127.0.0.1 (the SMTP server's) and a client context trusting it."""
    yield tls_pair("127.0.0.1", str(tmp_path))


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["STARTTLS", "smtps"])
async def test_a_login_goes_over_tls_and_the_message_after_it(
    mail: Mail, trusting: tuple[ssl.SSLContext, ssl.SSLContext], implicit_tls: bool
) -> None:
    served, trusted = trusting
    mail.consenting()
    with SmtpServer(tls=served, implicit_tls=implicit_tls, account=ACCOUNT) as relay:
        channel = mail.channel(relay.url_with(*ACCOUNT), tls_context=trusted)
        assert (await mail.send(channel)).delivered == 1
        (received,) = relay.received
        assert relay.logins == [(ACCOUNT[0], True)]
    assert received.encrypted and received.login == ACCOUNT[0]
    assert received.recipients == [ADDRESS]


async def test_a_refused_login_is_retried_and_its_password_never_shown(
    mail: Mail, trusting: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    served, trusted = trusting
    mail.consenting()
    with SmtpServer(tls=served, account=ACCOUNT) as relay:
        wrong = mail.channel(relay.url_with(ACCOUNT[0], "sai mật khẩu"), tls_context=trusted)
        assert (await mail.send(wrong)).retried == 1
        assert relay.received == [] and relay.logins
        assert relay.logins == [(ACCOUNT[0], False)] * len(relay.logins)  # PLAIN, LOGIN
        (message,) = await mail.emails()
        assert message.last_error is not None and "535" in message.last_error
        shown = mail.outbox_report()
        assert "sai mật khẩu" not in shown + message.last_error
        mail.clock.advance(60)
        right = mail.channel(relay.url_with(*ACCOUNT), tls_context=trusted)
        assert (await mail.send(right)).delivered == 1
        assert len(relay.received) == 1


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["STARTTLS", "smtps"])
async def test_a_server_with_a_certificate_not_trusted_gets_nothing(
    mail: Mail, trusting: tuple[ssl.SSLContext, ssl.SSLContext], implicit_tls: bool
) -> None:
    """The system's trust store does not know the test's CA: neither the login nor the
    message goes to a server that cannot prove who it is, and the reason says so."""
    served, _trusted = trusting
    mail.consenting()
    with SmtpServer(tls=served, implicit_tls=implicit_tls, account=ACCOUNT) as relay:
        assert (await mail.send(mail.channel(relay.url_with(*ACCOUNT)))).retried == 1
        assert relay.received == [] and relay.logins == []
    (message,) = await mail.emails()
    assert message.last_error is not None and "certificate" in message.last_error.lower()
    assert "certificate" in mail.outbox_report().lower()


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["STARTTLS", "smtps"])
async def test_a_certificate_for_another_name_gets_nothing(
    mail: Mail, tmp_path: Path, implicit_tls: bool
) -> None:
    """A certificate from a trusted CA, but for 'localhost', served at 127.0.0.1."""
    served, trusted = tls_pair("localhost", str(tmp_path))
    mail.consenting()
    with SmtpServer(tls=served, implicit_tls=implicit_tls, account=ACCOUNT) as relay:
        channel = mail.channel(relay.url_with(*ACCOUNT), tls_context=trusted)
        assert (await mail.send(channel)).retried == 1
        assert relay.received == [] and relay.logins == []
    (message,) = await mail.emails()
    assert message.last_error is not None and "certificate" in message.last_error.lower()


async def test_a_login_is_never_sent_to_a_server_without_starttls(mail: Mail) -> None:
    """The shared server offers no STARTTLS: with a login in PAKN_SMTP_URL, pakn will not
    send the password in the clear, and retries (an operator can fix it in 3 days)."""
    mail.consenting()
    assert (await mail.send(mail.channel(mail.smtp.url_with(*ACCOUNT)))).retried == 1
    assert mail.smtp.received == [] and mail.smtp.logins == []
    (message,) = await mail.emails()
    assert message.last_error is not None and "STARTTLS" in message.last_error


async def test_a_hung_smtp_server_times_out_and_is_retried(mail: Mail) -> None:
    mail.consenting()
    with SilentServer() as silent:
        report = await mail.send(mail.channel(silent.url, timeout=0.3))
    assert report.retried == 1
    (message,) = await mail.emails()
    assert message.last_error is not None and "timed out" in message.last_error.lower()
    assert message.claimed_at is None
    assert "timed out" in mail.outbox_report().lower()


async def test_a_message_failing_for_three_days_expires(mail: Mail) -> None:
    mail.consenting()
    down = mail.channel(f"smtp://127.0.0.1:{closed_port()}")
    await mail.send(down)
    mail.clock.advance(3 * 86400 + 1)
    report = await mail.send()
    assert report.expired == 1 and report.attempted == 0 and mail.smtp.received == []
    (message,) = await mail.emails()
    assert message.last_error is not None
    assert message.last_error.startswith("expired after 1 attempt; last: ")
    assert "email failed (1): expired after 1 attempt" in mail.outbox_report()


async def test_two_senders_at_once_send_each_email_once(mail: Mail) -> None:
    for _ in range(3):
        mail.consenting()
    second_engine = create_engine(mail.url)
    try:
        reports = await asyncio.gather(
            outbox.send_due(mail.sessions, mail.writes, [mail.channel()], mail.clock(), batch=1),
            outbox.send_due(
                session_factory(second_engine),
                mail.writes,
                [mail.channel()],
                mail.clock(),
                batch=1,
            ),
        )
    finally:
        await second_engine.dispose()
    assert sum(r.delivered for r in reports) == 3
    ids = [got.message["Message-ID"] for got in mail.smtp.received]
    assert len(ids) == 3 == len(set(ids))


async def test_a_sender_stopped_mid_send_never_sends_twice(mail: Mail) -> None:
    mail.consenting()
    with SilentServer() as silent:
        run = asyncio.create_task(mail.send(mail.channel(silent.url, timeout=30)))
        await asyncio.to_thread(wait_until, lambda: bool(silent._held), "connected")
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
    (claimed,) = await mail.emails()
    assert claimed.claimed_at is not None and claimed.sent_at is None
    mail.clock.advance(outbox.CLAIM_STALE.total_seconds() + 1)
    report = await mail.send()
    assert report.uncertain == 1 and report.attempted == 0 and mail.smtp.received == []
    (given_up,) = await mail.emails()
    assert given_up.last_error == outbox.UNCERTAIN


async def test_a_deleted_outbox_id_is_never_reused(mail: Mail) -> None:
    """Ended rows are deleted after `outbox.KEEP_DONE`; a later e-mail must not get a
    deleted one's id, from which the Message-ID is derived (SQLite reuses the highest
    rowid unless the table has AUTOINCREMENT)."""
    mail.consenting()
    assert (await mail.send()).delivered == 1
    (first,) = await mail.emails()
    later = mail.clock() + outbox.KEEP_DONE + timedelta(seconds=1)
    assert await outbox.delete_done(mail.sessions, mail.writes, later) == 1
    assert await mail.emails() == []

    mail.consenting()
    assert (await mail.send()).delivered == 1
    (second,) = await mail.emails()
    assert second.id > first.id
    old, new = (got.message["Message-ID"] for got in mail.smtp.received)
    assert old != new


async def test_erasure_drops_the_queued_emails(mail: Mail) -> None:
    petition = mail.consenting()
    other = mail.consenting()
    assert len(await mail.emails()) == 2
    erased = mail.workflow.server.gql(
        "mutation($i: ErasePetitionerDataInput!) { erasePetitionerData(input: $i) { "
        "userErrors { code } } }",
        {"i": {"trackingCode": petition["trackingCode"], "secret": petition["secret"]}},
    )["erasePetitionerData"]
    assert erased["userErrors"] == []
    (kept,) = await mail.emails()
    assert kept.petition_id == await mail.petition_id(other)
    await mail.send()
    assert [got.message["Subject"] for got in mail.smtp.received] == [
        email_notice.subject(
            email_notice.Notice(
                "ASSIGN", other["trackingCode"], mail.clock(), "Bộ Tài chính", None, None
            )
        )
    ]


async def test_the_retention_purge_drops_the_queued_emails(mail: Mail) -> None:
    from app.services import erasure

    petition = mail.consenting()
    btc = mail.workflow.tokens.btc
    petition = mail.workflow.act("acknowledge", btc, petition)
    mail.workflow.act("answer", btc, petition, body="Sở đã cấp giấy chứng nhận cho ông/bà.")
    assert await mail.actions() == ["ASSIGN", "ANSWER"]
    later = mail.clock() + timedelta(days=10)
    assert await erasure.purge(mail.sessions, mail.writes, 1, lambda: later) == 1
    assert await mail.emails() == []
    assert (await mail.send()).attempted == 0 and mail.smtp.received == []


async def test_a_contact_that_withdrew_meanwhile_gets_nothing(mail: Mail) -> None:
    petition = mail.consenting()
    async with mail.sessions() as session:
        await session.execute(
            update(PetitionerContact)
            .where(PetitionerContact.petition_id == await mail.petition_id(petition))
            .values(notify_by_email=False)
        )
        await session.commit()
    report = await mail.send()
    assert report.given_up == 1 and report.errors == ["the petitioner unsubscribed"]
    assert mail.smtp.received == []


@pytest.mark.skipif(
    importlib.util.find_spec("app.services.overdue") is None,
    reason="the overdue writer (app/services/overdue.py) is not there yet",
)
async def test_an_overdue_petition_sends_one_email(mail: Mail) -> None:
    from app.services import notifications, overdue

    petition = mail.consenting()
    settings = mail.workflow.server.settings
    later = mail.clock() + timedelta(days=60)
    notify = notifications.for_settings(settings)
    assert await overdue.run_clock(mail.sessions, mail.writes, lambda: later, notify) == 1
    assert await overdue.run_clock(mail.sessions, mail.writes, lambda: later, notify) == 0
    assert await mail.actions() == ["ASSIGN", "OVERDUE"]
    assert (await mail.send()).delivered == 2
    overdue_mail = mail.smtp.received[1]
    deadline = datetime.fromisoformat(petition["deadlineAt"])
    day = to_local(deadline).strftime("%d/%m/%Y")
    assert petition["trackingCode"] in overdue_mail.message["Subject"]
    assert f"đã quá hạn giải quyết (hạn {day})" in overdue_mail.text
    assert "is overdue" in overdue_mail.text


async def test_the_servers_own_sender_sends_the_email(empty_database: str) -> None:
    tokens = await make_tokens(empty_database)
    with SmtpServer() as smtp:
        settings = workflow_settings(
            empty_database,
            smtp_url=smtp.url,
            public_url=PUBLIC_URL,
            outbox_interval_seconds=0.2,
            contact_retention_days=0,
            webhook_delivery=False,
        )
        async with RunningServer(settings, background=True) as server:
            workflow = Workflow(server, tokens)
            person = {**SUBMISSION["petitioner"], "notifyByEmail": True}
            submitted = workflow.submit(petitioner=person)
            workflow.act(
                "assign",
                tokens.coordinator,
                submitted["petition"],
                agencyCode="BTC",
                fieldCode="DAT_DAI",
            )
            await asyncio.to_thread(wait_until, lambda: len(smtp.received) == 1, "sent")
        (got,) = smtp.received
        assert submitted["trackingCode"] in got.message["Subject"]


def test_the_smtp_url_names_the_server_and_its_login() -> None:
    from app.services.email_outbox import SmtpServer as Parsed

    plain = Parsed.parse("smtp://mail.gov.vn")
    assert (plain.host, plain.port, plain.implicit_tls, plain.username) == (
        "mail.gov.vn",
        25,
        False,
        None,
    )
    login = Parsed.parse("smtps://relay%40gov.vn:p%40ss@mail.gov.vn")
    assert (login.port, login.implicit_tls, login.username, login.password) == (
        465,
        True,
        "relay@gov.vn",
        "p@ss",
    )
    assert "p@ss" not in repr(login) and "p@ss" not in str(login)
    assert (plain.start_tls, login.start_tls) == (None, False)
    assert Parsed.parse("smtp://u:p@mail.gov.vn").start_tls is True
    assert Parsed.parse("smtp://127.0.0.1:1025").port == 1025
    with pytest.raises(ValueError):
        Parsed.parse("http://mail.gov.vn")
