"""The outbox sender (`app.services.outbox`) with a channel of the test's, on both
databases: each message is delivered at most once whatever runs it (twice in a row, two
senders at once, a sender stopped between its claim and its send), retried after its
backoff, given up when refused or expired, and its row deleted days after it ended. The
e-mail channel over a real SMTP server: tests/services/test_email.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.timezone import now
from app.services import outbox
from app.services.outbox import Delivered, GiveUp, Outcome, RetryLater
from db.engine import create_engine, is_sqlite, session_factory
from db.models import OutboxMessage, PetitionEvent
from db.transactions import WriteGate
from tests.support.workflow import make_tokens, serving_workflow

CHANNEL = "test"


@dataclass
class ScriptedChannel:
    """Answers each attempt with the next of `script` (Delivered when it runs out), after
    `pause` seconds; `hold` (when set) makes every attempt wait for it."""

    name: str = CHANNEL
    at_most_once: bool = True
    max_age: timedelta = timedelta(days=3)
    script: list[Outcome | Exception] = field(default_factory=list)
    pause: float = 0.0
    hold: asyncio.Event | None = None
    attempts: list[int] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    postponing: dict[int, float] = field(default_factory=dict)
    """Message id -> the seconds `postpone` puts it off by."""

    def backoff(self, attempts: int) -> float:
        return 60.0 * 2 ** (attempts - 1)

    def postpone(self, message: OutboxMessage, now: datetime) -> float | None:
        return self.postponing.get(message.id)

    async def deliver(self, session: AsyncSession, message: OutboxMessage) -> Outcome:
        self.started.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.pause:
            await asyncio.sleep(self.pause)
        self.attempts.append(message.id)
        step = self.script.pop(0) if self.script else Delivered()
        if isinstance(step, Exception):
            raise step
        return step


@dataclass
class Box:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    writes: WriteGate
    events: list[tuple[int, int]]
    """(event id, petition id) of the three submissions' events."""
    start: datetime

    async def enqueue(self, count: int = 1, channel: str = CHANNEL) -> list[int]:
        async with self.sessions() as session:
            for event_id, petition_id in self.events[:count]:
                await outbox.enqueue(
                    session,
                    event=event_id,
                    petition_id=petition_id,
                    channel=channel,
                    recipient="petitioner",
                    now=self.start,
                    max_age=timedelta(days=3),
                )
            await session.commit()
        return [m.id for m in await self.messages()]

    async def messages(self) -> list[OutboxMessage]:
        async with self.sessions() as session:
            return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    async def send(
        self, channel: ScriptedChannel, at: datetime, **options: object
    ) -> outbox.SendReport:
        return await outbox.send_due(self.sessions, self.writes, [channel], at, **options)  # type: ignore[arg-type]


@pytest.fixture
async def box(empty_database: str) -> AsyncIterator[Box]:
    tokens = await make_tokens(empty_database)
    with serving_workflow(empty_database, tokens) as workflow:
        for _ in range(3):
            workflow.submit()
    engine = create_engine(empty_database)
    sessions = session_factory(engine)
    async with sessions() as session:
        rows = await session.execute(
            select(PetitionEvent.id, PetitionEvent.petition_id).order_by(PetitionEvent.id)
        )
        events = [(event_id, petition_id) for event_id, petition_id in rows]
    assert len(events) == 3
    yield Box(engine, sessions, WriteGate(serialise=is_sqlite(empty_database)), events, now())
    await engine.dispose()


async def test_a_message_is_queued_once_and_delivered_once(box: Box) -> None:
    await box.enqueue(3)
    assert len(await box.enqueue(3)) == 3  # the same messages again: nothing more queued
    channel = ScriptedChannel()
    report = await box.send(channel, box.start)
    assert report.delivered == 3 and channel.attempts == [m.id for m in await box.messages()]
    for message in await box.messages():
        assert message.sent_at == box.start and message.attempts == 1
        assert message.claimed_at == box.start and message.failed_at is None
    again = await box.send(channel, box.start + timedelta(hours=1))
    assert again.attempted == 0 and len(channel.attempts) == 3


async def test_nothing_is_sent_before_it_is_due_or_on_another_channel(box: Box) -> None:
    await box.enqueue(1)
    channel = ScriptedChannel()
    assert (await box.send(channel, box.start - timedelta(seconds=1))).attempted == 0
    other = ScriptedChannel(name="other")
    assert (await box.send(other, box.start)).attempted == 0
    assert (await box.send(channel, box.start, batch=1)).delivered == 1


async def test_batches_are_bounded_and_a_stopped_run_leaves_the_rest(box: Box) -> None:
    await box.enqueue(3)
    channel = ScriptedChannel()
    report = await box.send(channel, box.start, batch=2, max_batches=1)
    assert report.delivered == 2
    stopping = ScriptedChannel()
    assert (await box.send(stopping, box.start, proceed=lambda: False)).attempted == 0
    assert (await box.send(channel, box.start, batch=2)).delivered == 1
    assert len(channel.attempts) == 3 == len(set(channel.attempts))


async def test_two_senders_at_once_deliver_each_message_once(box: Box) -> None:
    await box.enqueue(3)
    second_engine = create_engine(str(box.engine.url.render_as_string(hide_password=False)))
    try:
        second = session_factory(second_engine)
        first_channel, second_channel = ScriptedChannel(pause=0.05), ScriptedChannel(pause=0.05)
        reports = await asyncio.gather(
            outbox.send_due(box.sessions, box.writes, [first_channel], box.start, batch=1),
            outbox.send_due(second, box.writes, [second_channel], box.start, batch=1),
        )
    finally:
        await second_engine.dispose()
    delivered = first_channel.attempts + second_channel.attempts
    assert sorted(delivered) == [m.id for m in await box.messages()]
    assert sum(r.delivered for r in reports) == 3


async def test_a_claim_taken_meanwhile_is_not_sent_by_the_second_sender(box: Box) -> None:
    """The race of two senders that read the same due message, made certain: the second
    claims a message the first claimed after both read it; its claim finds no row."""
    (message_id,) = await box.enqueue(1)
    first = ScriptedChannel(hold=asyncio.Event())
    run = asyncio.create_task(box.send(first, box.start))
    await first.started.wait()
    second, report = ScriptedChannel(), outbox.SendReport()
    async with box.sessions() as session:
        await outbox._send_one(
            session, box.writes, {CHANNEL: second}, message_id, lambda: box.start, report
        )
    assert report.lost_claims == 1 and report.attempted == 0 and second.attempts == []
    assert first.hold is not None
    first.hold.set()
    assert (await run).delivered == 1
    (message,) = await box.messages()
    assert message.attempts == 1 and first.attempts == [message_id]
    assert all(m.attempts == 1 for m in await box.messages())


async def test_a_sender_stopped_between_claim_and_send_never_sends_twice(box: Box) -> None:
    (message_id,) = await box.enqueue(1)
    held = ScriptedChannel(hold=asyncio.Event())
    run = asyncio.create_task(box.send(held, box.start))
    await held.started.wait()
    run.cancel()  # the sender dies: claimed, not sent, the outcome never written
    with pytest.raises(asyncio.CancelledError):
        await run
    (claimed,) = await box.messages()
    assert claimed.claimed_at == box.start and claimed.attempts == 1
    assert claimed.sent_at is None and claimed.failed_at is None

    channel = ScriptedChannel()
    soon = await box.send(channel, box.start + timedelta(minutes=1))
    assert soon.attempted == 0 and soon.uncertain == 0  # the claim may still be sending
    later = await box.send(channel, box.start + outbox.CLAIM_STALE + timedelta(seconds=1))
    assert later.uncertain == 1 and channel.attempts == []
    (given_up,) = await box.messages()
    assert given_up.id == message_id and given_up.sent_at is None
    assert given_up.last_error == outbox.UNCERTAIN


async def test_an_at_least_once_channel_sends_a_stale_claim_again(box: Box) -> None:
    await box.enqueue(1)
    held = ScriptedChannel(at_most_once=False, hold=asyncio.Event())
    run = asyncio.create_task(box.send(held, box.start))
    await held.started.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    channel = ScriptedChannel(at_most_once=False)
    report = await box.send(channel, box.start + outbox.CLAIM_STALE + timedelta(seconds=1))
    assert report.reclaimed == 1 and report.delivered == 1
    (message,) = await box.messages()
    assert message.attempts == 2 and message.sent_at is not None


async def test_a_temporary_failure_is_retried_after_the_backoff(box: Box) -> None:
    await box.enqueue(1)
    channel = ScriptedChannel(script=[RetryLater("421 try later"), RetryLater("again", 5.0)])
    assert (await box.send(channel, box.start)).retried == 1
    (message,) = await box.messages()
    assert message.claimed_at is None and message.last_error == "421 try later"
    assert message.next_attempt_at == box.start + timedelta(seconds=60)
    assert (await box.send(channel, box.start + timedelta(seconds=59))).attempted == 0
    assert (await box.send(channel, box.start + timedelta(seconds=60))).retried == 1
    (message,) = await box.messages()
    assert message.next_attempt_at == box.start + timedelta(seconds=65)  # the channel's wish
    assert (await box.send(channel, box.start + timedelta(seconds=65))).delivered == 1
    (message,) = await box.messages()
    assert message.attempts == 3 and message.sent_at is not None and message.last_error is None


async def test_a_refusal_is_given_up_and_an_error_of_the_channel_retried(box: Box) -> None:
    await box.enqueue(2)
    channel = ScriptedChannel(script=[GiveUp("550 no such user"), RuntimeError("bug")])
    report = await box.send(channel, box.start)
    assert report.given_up == 1 and report.retried == 1
    refused, broken = await box.messages()
    assert refused.failed_at == box.start and refused.last_error == "550 no such user"
    assert broken.failed_at is None and broken.last_error == "internal error: RuntimeError"
    later = await box.send(channel, box.start + timedelta(hours=1))
    assert later.delivered == 1 and channel.attempts.count(refused.id) == 1


async def test_a_postponed_message_waits_without_an_attempt(box: Box) -> None:
    first, second = await box.enqueue(2)
    channel = ScriptedChannel(postponing={second: 90.0})
    report = await box.send(channel, box.start)
    assert (report.delivered, report.postponed, report.attempted) == (1, 1, 1)
    assert channel.attempts == [first]
    postponed = (await box.messages())[1]
    assert postponed.attempts == 0 and postponed.claimed_at is None
    assert postponed.next_attempt_at == box.start + timedelta(seconds=90)
    assert (await box.send(channel, box.start + timedelta(seconds=89))).postponed == 0
    channel.postponing.clear()
    assert (await box.send(channel, box.start + timedelta(seconds=90))).delivered == 1
    assert channel.attempts == [first, second]


async def test_an_outcomes_effects_are_written_with_it_under_the_write_gate(box: Box) -> None:
    """A channel's writes (`Outcome.effects`) run in the transaction that records the
    outcome, holding the process's write gate on SQLite, and commit with it."""
    first, second = await box.enqueue(2)
    seen: list[tuple[bool, bool]] = []

    async def note_on_the_other(session: AsyncSession) -> None:
        seen.append((session.in_transaction(), box.writes.held))
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == second).values(last_error="noted")
        )

    channel = ScriptedChannel(script=[RetryLater("busy", effects=(note_on_the_other,))])
    report = await box.send(channel, box.start, batch=1, max_batches=1)
    assert report.retried == 1
    assert seen == [(True, box.engine.dialect.name == "sqlite")]
    retried, other = await box.messages()
    assert retried.id == first and retried.last_error == "busy" and retried.claimed_at is None
    assert other.last_error == "noted" and other.attempts == 0
    assert RetryLater("busy", effects=(note_on_the_other,)) == RetryLater("busy")


async def test_an_outcome_whose_writes_fail_is_recorded_without_them(
    box: Box, caplog: pytest.LogCaptureFixture
) -> None:
    """A channel's write that fails (here a statement the database refuses) does not stop
    the run or leave the message claimed to be sent again: the outcome is recorded alone
    and the failure logged."""
    await box.enqueue(2)

    async def broken(session: AsyncSession) -> None:
        await session.execute(text("UPDATE no_such_table SET x = 1"))

    channel = ScriptedChannel(script=[Delivered(effects=(broken,))])
    report = await box.send(channel, box.start)
    assert report.delivered == 2 and len(channel.attempts) == 2
    assert all(m.sent_at is not None and m.claimed_at is not None for m in await box.messages())
    assert any("recorded without them" in r.getMessage() for r in caplog.records)


async def test_a_message_expires_unsent_after_three_days(box: Box) -> None:
    await box.enqueue(2)
    channel = ScriptedChannel(script=[RetryLater("connection refused")])
    await box.send(channel, box.start, batch=1, max_batches=1)
    late = box.start + timedelta(days=3, seconds=1)
    report = await box.send(channel, late)
    assert report.expired == 2 and report.attempted == 0 and len(channel.attempts) == 1
    tried, untried = await box.messages()
    assert tried.last_error == "expired after 1 attempt; last: connection refused"
    assert untried.last_error == "expired before an attempt"
    assert tried.failed_at == untried.failed_at == late


async def test_ended_messages_are_deleted_three_days_later(box: Box) -> None:
    await box.enqueue(2)
    await box.send(ScriptedChannel(script=[GiveUp("no")]), box.start)
    kept = await outbox.delete_done(box.sessions, box.writes, box.start + timedelta(days=2))
    assert kept == 0 and len(await box.messages()) == 2
    gone = await outbox.delete_done(
        box.sessions, box.writes, box.start + timedelta(days=3, seconds=1)
    )
    assert gone == 2 and await box.messages() == []
    await box.enqueue(1)  # deleted, so queued anew if the event asked again
    assert len(await box.messages()) == 1


async def test_drop_pending_gives_up_the_petitions_unsent_messages(box: Box) -> None:
    await box.enqueue(3)
    petition_id = box.events[1][1]
    async with box.sessions() as session:
        dropped = await outbox.drop_pending(session, petition_id, CHANNEL, box.start, "erased")
        assert await outbox.drop_pending(session, petition_id, "other", box.start, "-") == 0
        await session.commit()
    assert dropped == 1
    channel = ScriptedChannel()
    await box.send(channel, box.start)
    first, second, third = await box.messages()
    assert second.last_error == "erased" and second.sent_at is None
    assert channel.attempts == [first.id, third.id]
