"""Webhook deliveries (#15, point 5) against a real HTTP receiver on loopback that verifies
each signature with `standardwebhooks`, on both databases: who gets which event, the
body, and that a receiver that is down, slow, answering 500 or redirecting loses nothing
and is disabled only after 24 hours of failure (a clock the test controls)."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from standardwebhooks import Webhook, WebhookVerificationError

from app.domain import webhooks as rules
from app.domain.key_wrapping import KeyEncryptionKey
from app.domain.timezone import now
from app.services import outbox, webhook_endpoints, webhooks
from app.services.outbox import Delivered, GiveUp, Outcome, RetryLater
from db.engine import create_engine, is_sqlite, session_factory
from db.models import OutboxMessage, PetitionEvent, WebhookEndpoint
from db.transactions import WriteGate
from resolvers.history import cursor_for_event_id
from tests.support.cli import pakn
from tests.support.server import RunningServer
from tests.support.tls import tls_pair
from tests.support.webhook_receiver import Behaviour, Receiver
from tests.support.workflow import (
    TEST_KEK,
    TEST_KEY,
    Workflow,
    make_tokens,
    serving_workflow,
    workflow_settings,
)

PROGRESS_NOTE = "Sở đã cử cán bộ xuống kiểm tra hiện trường."
TRANSFER_NOTE = "Việc này thuộc thẩm quyền của Sở Y tế."


class Clock:
    """The sender's and the channel's time, moved by the test."""

    def __init__(self) -> None:
        self.moment = now() + timedelta(minutes=1)
        """A minute ahead: what the test writes after it starts is due at once."""
        self.tick = timedelta(0)
        """How far each reading moves it (a real clock never reads the same twice)."""

    def __call__(self) -> datetime:
        moment = self.moment
        self.moment += self.tick
        return moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@dataclass
class Harness:
    url: str
    workflow: Workflow
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    writes: WriteGate
    clock: Clock

    def channel(self, **options: Any) -> webhooks.WebhookChannel:
        options.setdefault("allow_private", True)
        return webhooks.WebhookChannel(TEST_KEK, clock=self.clock, **options)

    async def add(self, receiver: Receiver, **options: Any) -> int:
        async with self.sessions() as session:
            added = await webhook_endpoints.add_endpoint(
                session,
                url=options.pop("url", receiver.url),
                agency_code=options.pop("agency", None),
                actions=options.pop("actions", None),
                now=self.clock(),
                kek=TEST_KEK,
                allow_private=True,
                **options,
            )
            await session.commit()
        receiver.secret = added.secret
        return added.endpoint.id

    async def send_due(self, channel: webhooks.WebhookChannel) -> list[Outcome]:
        """One run of the outbox sender (`app.services.outbox.send_due`) at the clock's
        time; the outcomes of the attempts it made."""
        recording = Recording(channel)
        report = await outbox.send_due(self.sessions, self.writes, [recording], self.clock)
        assert report.attempted == len(recording.outcomes)
        return recording.outcomes

    async def messages(self, endpoint_id: int | None = None) -> list[OutboxMessage]:
        async with self.sessions() as session:
            statement = select(OutboxMessage).where(OutboxMessage.channel == "webhook")
            if endpoint_id is not None:
                statement = statement.where(OutboxMessage.recipient == str(endpoint_id))
            return list(await session.scalars(statement.order_by(OutboxMessage.id)))

    async def endpoint(self, endpoint_id: int) -> WebhookEndpoint:
        async with self.sessions() as session:
            found = await session.get(WebhookEndpoint, endpoint_id)
            assert found is not None
            return found

    async def event(self, event_id: int) -> PetitionEvent:
        async with self.sessions() as session:
            found = await session.get(PetitionEvent, event_id)
            assert found is not None
            return found


class Recording:
    """The channel as the outbox sender sees it, keeping each attempt's outcome."""

    def __init__(self, channel: webhooks.WebhookChannel) -> None:
        self.channel = channel
        self.name = channel.name
        self.at_most_once = channel.at_most_once
        self.max_age = channel.max_age
        self.outcomes: list[Outcome] = []

    def backoff(self, attempts: int) -> float:
        return self.channel.backoff(attempts)

    def postpone(self, message: OutboxMessage, now: datetime) -> float | None:
        return self.channel.postpone(message, now)

    async def deliver(self, session: AsyncSession, message: OutboxMessage) -> Outcome:
        outcome = await self.channel.deliver(session, message)
        self.outcomes.append(outcome)
        return outcome


@pytest.fixture
async def harness(empty_database: str) -> AsyncIterator[Harness]:
    tokens = await make_tokens(empty_database)
    engine = create_engine(empty_database)
    with serving_workflow(empty_database, tokens) as workflow:
        writes = WriteGate(serialise=is_sqlite(empty_database))
        yield Harness(empty_database, workflow, engine, session_factory(engine), writes, Clock())
    await engine.dispose()


def expected_body(event: PetitionEvent, tracking_code: str, agency: str | None, note: Any) -> dict:
    return {
        "type": "petition.event",
        "data": {
            "cursor": cursor_for_event_id(event.id),
            "logIndex": event.id - 1,
            "action": event.action,
            "fromStatus": event.from_status,
            "toStatus": event.to_status,
            "at": event.at.isoformat(timespec="seconds"),
            "actorRole": event.actor_role,
            "agencyCode": agency,
            "note": note,
            "trackingCode": tracking_code,
        },
    }


async def test_a_public_event_is_delivered_once_signed_with_the_documented_body(
    harness: Harness,
) -> None:
    async with Receiver() as receiver:
        endpoint_id = await harness.add(receiver)
        petition, _secret = harness.workflow.assigned()
        btc = harness.workflow.tokens.btc
        petition = harness.workflow.act("acknowledge", btc, petition)
        harness.workflow.act("progress", btc, petition, note=PROGRESS_NOTE)
        queued = await harness.messages(endpoint_id)
        assert [m.event_id for m in queued] == sorted(m.event_id for m in queued)
        events = [await harness.event(m.event_id) for m in queued]
        actions = ["SUBMIT", "ASSIGN", "ACKNOWLEDGE", "PROGRESS_UPDATE"]
        assert [e.action for e in events] == actions

        outcomes = await harness.send_due(harness.channel())
        assert outcomes == [Delivered()] * 4
        assert [d.problem for d in receiver.deliveries] == [None] * 4
        for delivery, event in zip(receiver.deliveries, events, strict=True):
            assert delivery.method == "POST" and delivery.path == "/hooks/pakn"
            assert delivery.headers["content-type"] == "application/json"
            assert delivery.headers["webhook-id"] == f"msg_pakn_{event.id}_{endpoint_id}"
            note = PROGRESS_NOTE if event.action == "PROGRESS_UPDATE" else None
            agency = None if event.action == "SUBMIT" else "BTC"
            assert delivery.payload == expected_body(event, petition["trackingCode"], agency, note)
        first = receiver.deliveries[0]
        assert first.body.startswith(b'{"type":"petition.event","data":{')
        with pytest.raises(WebhookVerificationError):  # another secret does not verify
            Webhook(base64.b64encode(bytes(32)).decode()).verify(first.body, first.headers)
        with pytest.raises(WebhookVerificationError):  # nor altered bytes
            Webhook(receiver.secret or "").verify(
                first.body.replace(b"SUBMIT", b"ANSWER"), first.headers
            )

        assert await harness.send_due(harness.channel()) == []
        harness.clock.advance(7200)
        assert await harness.send_due(harness.channel()) == []
        assert len(receiver.deliveries) == 4
    state = await harness.endpoint(endpoint_id)
    assert (
        state.failing_since is None
        and state.last_success_at == harness.clock.moment - timedelta(seconds=7200)
    )


async def test_internal_events_reach_only_their_agencys_endpoint(harness: Harness) -> None:
    async with Receiver() as public, Receiver() as btc, Receiver() as byt:
        public_id = await harness.add(public)
        btc_id = await harness.add(btc, agency="BTC")
        byt_id = await harness.add(byt, agency="byt")
        tokens = harness.workflow.tokens
        private = harness.workflow.submit(isPrivate=True)
        petition = harness.workflow.act(
            "assign", tokens.coordinator, private["petition"], agencyCode="BTC", fieldCode="DAT_DAI"
        )
        petition = harness.workflow.act("acknowledge", tokens.btc, petition)
        petition = harness.workflow.act("progress", tokens.btc, petition, note=PROGRESS_NOTE)
        harness.workflow.act("request_transfer", tokens.btc, petition, note=TRANSFER_NOTE)

        channel = harness.channel()
        assert all(isinstance(o, Delivered) for o in await harness.send_due(channel))

    def seen(receiver: Receiver) -> list[tuple[str, str | None]]:
        assert all(d.problem is None for d in receiver.deliveries)
        return [
            (d.payload["data"]["action"], d.payload["data"]["note"]) for d in receiver.deliveries
        ]

    public_actions = [
        ("SUBMIT", None),
        ("ASSIGN", None),
        ("ACKNOWLEDGE", None),
        ("PROGRESS_UPDATE", None),
    ]
    assert seen(public) == public_actions  # a private petition's note is withheld
    assert seen(byt) == public_actions  # another agency: the public's view, nothing internal
    assert seen(btc) == [
        ("SUBMIT", None),
        ("ASSIGN", None),
        ("ACKNOWLEDGE", None),
        ("PROGRESS_UPDATE", PROGRESS_NOTE),
        ("REQUEST_TRANSFER", TRANSFER_NOTE),
    ]
    for delivery in public.deliveries + btc.deliveries:
        assert "Nguyễn" not in delivery.body.decode()  # the sample petitioner's name
    assert {m.recipient for m in await harness.messages()} == {
        str(public_id),
        str(btc_id),
        str(byt_id),
    }


async def test_actions_filter(harness: Harness) -> None:
    async with Receiver() as receiver:
        endpoint_id = await harness.add(receiver, actions="answer")
        harness.workflow.answered()
        assert await harness.send_due(harness.channel()) == [Delivered()]
    assert [d.payload["data"]["action"] for d in receiver.deliveries] == ["ANSWER"]
    assert len(await harness.messages(endpoint_id)) == 1


async def _retried_until_delivered(
    harness: Harness, receiver: Receiver, channel: webhooks.WebhookChannel, endpoint_id: int
) -> None:
    waits = [30, 60, 120]
    for wait in waits:
        (outcome,) = await harness.send_due(channel)
        assert isinstance(outcome, RetryLater), outcome
        state = await harness.endpoint(endpoint_id)
        assert state.failing_since is not None and state.last_error == outcome.error
        assert await harness.send_due(channel) == []  # not due again before its backoff
        harness.clock.advance(wait)
    (retried,) = await harness.messages(endpoint_id)
    assert retried.attempts == len(waits) and retried.sent_at is None


async def test_a_receiver_that_is_down_then_up_loses_nothing(harness: Harness) -> None:
    receiver = Receiver()
    endpoint_id = await harness.add(receiver)
    harness.workflow.submit()
    channel = harness.channel()
    await _retried_until_delivered(harness, receiver, channel, endpoint_id)
    assert "cannot reach 127.0.0.1" in (await harness.endpoint(endpoint_id)).last_error
    async with receiver:
        assert await harness.send_due(channel) == [Delivered()]
    (delivery,) = receiver.deliveries
    (message,) = await harness.messages(endpoint_id)
    assert delivery.problem is None
    assert delivery.headers["webhook-id"] == f"msg_pakn_{message.event_id}_{endpoint_id}"
    state = await harness.endpoint(endpoint_id)
    assert state.failing_since is None and state.disabled_at is None


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (Behaviour(status=500), "answered 500"),
        (Behaviour(delay_seconds=3), "no answer within 1 s"),
        (Behaviour(status=302, location="/elsewhere"), "redirects are not followed"),
        (Behaviour(status=404), "answered 404"),
    ],
)
async def test_a_failing_receiver_loses_nothing(
    harness: Harness, behaviour: Behaviour, error: str
) -> None:
    async with Receiver(behaviour=behaviour) as receiver:
        endpoint_id = await harness.add(receiver)
        harness.workflow.submit()
        channel = harness.channel(timeout=1.0)
        await _retried_until_delivered(harness, receiver, channel, endpoint_id)
        assert error in (await harness.endpoint(endpoint_id)).last_error
        receiver.behaviour = Behaviour()
        assert await harness.send_due(channel) == [Delivered()]
    assert len(receiver.deliveries) == 4
    assert {d.path for d in receiver.deliveries} == {"/hooks/pakn"}  # no redirect followed
    assert all(d.problem is None for d in receiver.deliveries)
    assert len({d.headers["webhook-id"] for d in receiver.deliveries}) == 1
    assert len({d.body for d in receiver.deliveries}) == 1


async def test_retry_after_is_waited_for_within_bounds(harness: Harness) -> None:
    async with Receiver(behaviour=Behaviour(status=429, retry_after="600")) as receiver:
        endpoint_id = await harness.add(receiver)
        harness.workflow.submit()
        channel = harness.channel()
        assert await harness.send_due(channel) == [RetryLater("answered 429", 600.0)]
        harness.clock.advance(599)
        assert await harness.send_due(channel) == []
        harness.clock.advance(1)
        receiver.behaviour = Behaviour(status=503, retry_after="99999")
        assert await harness.send_due(channel) == [RetryLater("answered 503", 3600.0)]
        receiver.behaviour = Behaviour(status=500, retry_after="5")
        harness.clock.advance(3600)
        # a 500's Retry-After is not taken; failing for 70 minutes, the endpoint rests an hour
        assert await harness.send_due(channel) == [RetryLater("answered 500", 3600.0)]
    assert len(receiver.deliveries) == 3
    assert (await harness.endpoint(endpoint_id)).disabled_at is None


async def test_the_servers_own_sender_delivers(empty_database: str) -> None:
    """The background job 'outbox' of a serving pakn carries the webhook channel: an event
    written over the API reaches the receiver with nobody else sending."""
    settings = workflow_settings(
        empty_database, webhook_allow_private=True, outbox_interval_seconds=0.2
    )
    engine = create_engine(empty_database)
    try:
        async with Receiver() as receiver, RunningServer(settings, background=True) as server:
            async with session_factory(engine)() as session:
                added = await webhook_endpoints.add_endpoint(
                    session,
                    url=receiver.url,
                    agency_code=None,
                    actions=None,
                    now=now(),
                    kek=TEST_KEK,
                    allow_private=True,
                )
                await session.commit()
            receiver.secret = added.secret
            submitted = await asyncio.to_thread(Workflow(server).submit)
            for _ in range(400):
                if receiver.deliveries:
                    break
                await asyncio.sleep(0.05)
    finally:
        await engine.dispose()
    (delivery,) = receiver.deliveries
    assert delivery.problem is None
    assert delivery.payload["data"]["action"] == "SUBMIT"
    assert delivery.payload["data"]["trackingCode"] == submitted["trackingCode"]


def test_the_delivery_timeout_is_ten_seconds() -> None:
    assert webhooks.DELIVERY_TIMEOUT_SECONDS == 10


async def test_an_endpoint_failing_for_24_hours_is_disabled_with_the_reason(
    harness: Harness,
) -> None:
    async with Receiver(behaviour=Behaviour(status=500)) as receiver, Receiver() as healthy:
        endpoint_id = await harness.add(receiver)
        healthy_id = await harness.add(healthy)
        harness.workflow.submit()
        channel = harness.channel()
        started = harness.clock.moment
        outcomes: list[Outcome] = []
        while not any(isinstance(o, GiveUp) for o in outcomes):
            assert harness.clock.moment - started < timedelta(hours=26)
            outcomes = await harness.send_due(channel)
            harness.clock.advance(60)
        assert harness.clock.moment - started >= timedelta(hours=24)
        assert len(receiver.deliveries) < 40  # backoff, not a flood
        state = await harness.endpoint(endpoint_id)
        assert state.disabled_at is not None
        assert "24 hours" in state.disabled_reason and "answered 500" in state.disabled_reason
        (given_up,) = [m for m in await harness.messages(endpoint_id) if m.failed_at]
        assert "24 hours" in given_up.last_error

        # the healthy one got its delivery at once, and the next event still reaches it
        before = len(receiver.deliveries)
        harness.workflow.submit()
        assert all(isinstance(o, Delivered) for o in await harness.send_due(channel))
        assert len(receiver.deliveries) == before
        assert len(healthy.deliveries) == 2
        assert len(await harness.messages(endpoint_id)) == 1  # nothing queued for it

    listed = pakn("webhook", "list", database_url=harness.url, environment=_environment())
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if x.startswith(f"{endpoint_id}\t"))
    fields = line.split("\t")
    assert fields[4] == "disabled"
    assert "24 hours" in fields[-1] and "answered 500" in fields[-1]
    assert "answered 500" in fields[7]
    healthy_line = next(x for x in listed.stdout.splitlines() if x.startswith(f"{healthy_id}\t"))
    assert healthy_line.split("\t")[4] == "active"


async def test_410_gone_disables_at_once_and_gives_up_the_queue(harness: Harness) -> None:
    async with Receiver(behaviour=Behaviour(status=410)) as receiver:
        endpoint_id = await harness.add(receiver)
        harness.workflow.in_progress()
        outcomes = await harness.send_due(harness.channel())
    assert len(receiver.deliveries) == 1
    assert isinstance(outcomes[0], GiveUp) and "410" in outcomes[0].error
    state = await harness.endpoint(endpoint_id)
    assert state.disabled_at is not None and "410 Gone" in state.disabled_reason
    assert all(m.failed_at is not None for m in await harness.messages(endpoint_id))


async def test_a_failing_endpoint_is_tried_once_a_run_and_its_other_deliveries_wait(
    harness: Harness,
) -> None:
    """The sender is serial: three deliveries to a receiver that times out would hold the
    run for three timeouts, and everyone else's deliveries with it. After one failure the
    endpoint's other due deliveries are put off to its retry, with no attempt."""
    async with Receiver(behaviour=Behaviour(delay_seconds=3)) as slow, Receiver() as healthy:
        slow_id = await harness.add(slow)
        await harness.add(healthy)
        for _ in range(3):
            harness.workflow.submit()
        channel = harness.channel(timeout=1.0)
        outcomes = await harness.send_due(channel)
        assert sorted(type(o).__name__ for o in outcomes) == ["Delivered"] * 3 + ["RetryLater"]
        assert len(healthy.deliveries) == 3
        retried, *waiting = await harness.messages(slow_id)
        assert retried.attempts == 1 and "no answer within 1 s" in retried.last_error
        for message in waiting:
            assert message.attempts == 0 and message.claimed_at is None
            assert message.next_attempt_at == retried.next_attempt_at
        assert retried.next_attempt_at == harness.clock.moment + timedelta(seconds=30)

        slow.behaviour = Behaviour()
        harness.clock.advance(30)
        assert await harness.send_due(channel) == [Delivered()] * 3
    assert len({d.headers["webhook-id"] for d in slow.deliveries}) == 3
    assert all(d.problem is None for d in slow.deliveries)


async def test_a_down_endpoint_rests_longer_each_time_whichever_delivery_is_tried(
    harness: Harness,
) -> None:
    """With a clock that moves between readings, the delivery tried at the endpoint's
    retry is not always the same one; the waits double all the same, one attempt a
    retry, and the others are put off in one statement, not one each."""
    async with Receiver(behaviour=Behaviour(status=500)) as down:
        endpoint_id = await harness.add(down)
        for _ in range(3):
            harness.workflow.submit()
        harness.clock.tick = timedelta(milliseconds=1)
        channel = harness.channel()
        attempted_at: list[datetime] = []
        tried: set[int] = set()
        for _ in range(6):
            before = {m.id: m.attempts for m in await harness.messages(endpoint_id)}
            assert len(await harness.send_due(channel)) == 1
            after = await harness.messages(endpoint_id)
            (message,) = [m for m in after if m.attempts > before[m.id]]
            tried.add(message.id)
            attempted_at.append(message.next_attempt_at)
            harness.clock.moment = min(m.next_attempt_at for m in after)
    gaps = [round((b - a).total_seconds()) for a, b in itertools.pairwise(attempted_at)]
    assert gaps == [30, 60, 120, 240, 480]
    assert len(tried) > 1, "the tie between the deliveries went another way"


async def test_the_timeout_bounds_the_names_resolution_too(harness: Harness) -> None:
    async def hanging(_host: str, _port: int) -> list[Any]:
        await asyncio.sleep(30)
        return [ipaddress.ip_address("127.0.0.1")]

    async with Receiver() as receiver:
        url = f"http://news.example:{receiver.port}/hooks/pakn"
        await harness.add(receiver, url=url, resolver=_loopback)
        harness.workflow.submit()
        (outcome,) = await harness.send_due(harness.channel(resolver=hanging, timeout=0.5))
    assert outcome == RetryLater("no answer within 0.5 s", 30.0)
    assert receiver.deliveries == []


async def _loopback(_host: str, _port: int) -> list[Any]:
    return [ipaddress.ip_address("127.0.0.1")]


async def test_a_removed_endpoints_queue_is_dropped(harness: Harness) -> None:
    async with Receiver() as receiver:
        endpoint_id = await harness.add(receiver)
        harness.workflow.submit()
        async with harness.sessions() as session:
            assert await webhook_endpoints.remove_endpoint(session, endpoint_id, harness.clock())
            await session.commit()
        assert await harness.send_due(harness.channel()) == []
    assert receiver.deliveries == []
    (message,) = await harness.messages(endpoint_id)
    assert message.failed_at is not None and "removed" in message.last_error


async def test_each_delivery_checks_the_address_it_connects_to(harness: Harness) -> None:
    """The host is resolved at each attempt; a private address is refused unless allowed
    (DNS rebinding), and the request goes to the very address checked, the URL's host in
    the Host header."""
    resolved: list[str] = []

    async def rebinding(host: str, _port: int) -> list[Any]:
        resolved.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    async with Receiver() as receiver:
        name_url = f"http://news.example:{receiver.port}/hooks/pakn"
        endpoint_id = await harness.add(receiver, url=name_url, resolver=rebinding)
        harness.workflow.submit()
        strict = harness.channel(allow_private=False, resolver=rebinding)
        (outcome,) = await harness.send_due(strict)
        assert isinstance(outcome, RetryLater) and "PAKN_WEBHOOK_ALLOW_PRIVATE" in outcome.error
        assert receiver.deliveries == []
        harness.clock.advance(30)
        (outcome,) = await harness.send_due(harness.channel(resolver=rebinding))
        assert outcome == Delivered()
    assert resolved == ["news.example"] * 3  # at add, and at each attempt
    (delivery,) = receiver.deliveries
    assert delivery.headers["host"] == f"news.example:{receiver.port}"
    assert delivery.problem is None
    assert (await harness.endpoint(endpoint_id)).failing_since is None


async def test_a_secret_that_no_longer_decrypts_disables_the_endpoint(harness: Harness) -> None:
    async with Receiver() as receiver:
        endpoint_id = await harness.add(receiver)
        harness.workflow.submit()
        other = webhooks.WebhookChannel(
            KeyEncryptionKey.derived_from("another-key-of-thirty-two-bytes-000000"),
            allow_private=True,
            clock=harness.clock,
        )
        (outcome,) = await harness.send_due(other)
    assert isinstance(outcome, GiveUp) and "does not decrypt" in outcome.error
    assert receiver.deliveries == []
    assert "add it again" in (await harness.endpoint(endpoint_id)).disabled_reason


async def test_https_to_the_checked_address_verifies_the_hosts_certificate(
    harness: Harness, tmp_path: Path
) -> None:
    """pakn connects to the address it checked, yet TLS still names the URL's host (SNI)
    and checks the certificate against it: a certificate for another name fails."""

    async def local(_host: str, _port: int) -> list[Any]:
        return [ipaddress.ip_address("127.0.0.1")]

    served, trusting = tls_pair("news.example", str(tmp_path))
    async with Receiver(tls=served, host_name="news.example") as receiver:
        endpoint_id = await harness.add(receiver, resolver=local)
        harness.workflow.submit()
        (outcome,) = await harness.send_due(harness.channel(resolver=local, ssl_context=trusting))
        assert outcome == Delivered()
        (delivery,) = receiver.deliveries
        assert delivery.problem is None and delivery.headers["host"] == receiver.url.split("/")[2]

        other = Receiver(tls=served, host_name="other.example")
        async with other:
            other_id = await harness.add(other, resolver=local)
            harness.workflow.submit()
            outcomes = await harness.send_due(harness.channel(resolver=local, ssl_context=trusting))
        assert outcomes[0] == Delivered()  # the first endpoint's
        assert isinstance(outcomes[1], RetryLater) and "cannot reach" in outcomes[1].error
        assert other.deliveries == []
        assert (await harness.endpoint(other_id)).failing_since is not None
        assert (await harness.endpoint(endpoint_id)).failing_since is None


def test_the_signing_time_is_given_in_utc() -> None:
    """Webhook.sign replaces a datetime's zone with UTC rather than converting it: a time
    in +07:00 signed as it is would be 7 hours off and fail every receiver's check."""
    moment = now()
    signed_at = rules.signing_time(moment)
    assert signed_at == moment and signed_at.utcoffset() == timedelta(0)
    secret = "whsec_" + base64.b64encode(bytes(range(32))).decode()
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", signed_at, '{"a":1}'),
    }
    assert Webhook(secret).verify('{"a":1}', headers) == {"a": 1}


def test_the_cursor_is_the_apis() -> None:
    for ident in (1, 42, 10**9):
        assert rules.event_cursor(ident) == cursor_for_event_id(ident)


def _environment() -> dict[str, str]:
    return {**os.environ, "PAKN_SECRET_KEY": TEST_KEY}


ERASE = (
    "mutation($input: ErasePetitionerDataInput!) { erasePetitionerData(input: $input) { "
    "petition { contactErasedAt } userErrors { code } } }"
)
PERSONAL = ("Nguyễn Thị Hoa", "hoa.nguyen@example.vn", "0912345678", "Phố Huế")
"""The sample petitioner's contact data (`tests.support.sample`)."""


async def _erased_event(harness: Harness) -> PetitionEvent:
    async with harness.sessions() as session:
        return await session.scalar(
            select(PetitionEvent).where(PetitionEvent.action == "CONTACT_ERASED")
        )


async def test_an_erasure_on_request_is_delivered_without_personal_data(
    harness: Harness,
) -> None:
    async with Receiver() as receiver:
        await harness.add(receiver)
        petition, secret = harness.workflow.assigned()
        code = petition["trackingCode"]
        response = harness.workflow.server.post(
            ERASE, {"input": {"trackingCode": code, "secret": secret}}
        )
        erased = response.json()["data"]["erasePetitionerData"]
        assert not erased["userErrors"] and erased["petition"]["contactErasedAt"]
        assert await harness.send_due(harness.channel()) == [Delivered()] * 3
    assert [d.payload["data"]["action"] for d in receiver.deliveries] == [
        "SUBMIT",
        "ASSIGN",
        "CONTACT_ERASED",
    ]
    delivery = receiver.deliveries[-1]
    assert delivery.problem is None
    event = await _erased_event(harness)
    assert delivery.payload == expected_body(event, code, "BTC", None)
    assert event.actor_role == "PETITIONER"
    assert not any(value in delivery.body.decode() for value in PERSONAL)


async def test_the_retention_purge_delivers_its_erasures(harness: Harness) -> None:
    from app.services import erasure, notifications

    async with Receiver() as receiver:
        await harness.add(receiver, actions="contact_erased")
        petition, _secret = harness.workflow.answered()
        later = harness.clock() + timedelta(days=10)
        notify = notifications.for_settings(workflow_settings(harness.url))
        erased = await erasure.purge(
            harness.sessions, harness.writes, 1, lambda: later, notify=notify
        )
        assert erased == 1
        assert await harness.send_due(harness.channel()) == [Delivered()]
    [delivery] = receiver.deliveries
    event = await _erased_event(harness)
    assert delivery.payload == expected_body(event, petition["trackingCode"], "BTC", None)
    assert event.actor_role == "SYSTEM"
    assert not any(value in delivery.body.decode() for value in PERSONAL)
