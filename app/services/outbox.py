"""The outbox sender: messages owed about events (e-mails, webhook deliveries), sent in the
background, each at most once per recipient.

A message is queued by `enqueue` in the transaction that appends its event, so it exists
exactly when the event commits; the unique (event_id, channel, recipient) makes a second
`enqueue` of the same message a no-op. `send_due` (the background job "outbox", run by one
leader across all workers and hosts) sends what is due in bounded batches. Each message goes
through:

1. claim: `claimed_at` set and `attempts` + 1, by an UPDATE guarded with `claimed_at IS NULL
   AND sent_at IS NULL AND failed_at IS NULL` whose row count is checked, committed BEFORE
   the send. Two senders at once (a leader that lost its lock while its successor starts)
   cannot both claim a message;
2. the channel's `deliver`, outside any write transaction (a send may take seconds, and on
   SQLite the process's writes queue behind one gate);
3. the outcome, committed under the claim (`claimed_at` still ours): sent (`sent_at`), a
   retry (`next_attempt_at` = now + the backoff, the claim cleared) or given up
   (`failed_at`, `last_error`), with the writes the channel asked for (`effects`: a
   webhook endpoint's state) in the same gated transaction.

A recipient that fails rests until its retry: the channel's failure puts the recipient's
other pending messages off to then (`postpone_recipient`, one UPDATE among the outcome's
effects), and before each claim the channel may `postpone` one queued meanwhile, without an
attempt. So a webhook endpoint that times out costs the serial sender one timeout a retry,
not one per queued event.

A message still claimed after `CLAIM_STALE` was claimed by a sender that stopped during the
attempt, so nobody knows whether it went out. An at-most-once channel (e-mail) gives it up,
"uncertain", rather than risk a second copy; an at-least-once channel (webhooks, whose
receivers dedupe by webhook-id) tries it again. A message past its `expires_at` (at most
`MAX_AGE` after it was queued) is given up unsent, and sent or given-up rows are deleted
`KEEP_DONE` after they ended, so the table stays bounded whatever the channels do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import OutboxMessage, PetitionEvent
from db.transactions import WriteGate

logger = logging.getLogger("pakn.outbox")

MAX_AGE = timedelta(days=3)
"""The longest a message is kept unsent; a channel's `max_age` is capped at this."""
KEEP_DONE = timedelta(days=3)
"""How long sent and given-up rows stay (for `pakn outbox` and for the dedupe of a late
duplicate `enqueue`) before they are deleted."""
CLAIM_STALE = timedelta(minutes=5)
"""A claim older than this belongs to a sender that stopped: far longer than any channel's
attempt (its timeout) and the commits around it."""
BATCH = 50
"""Messages claimed and sent per batch (one transaction to read them, one per claim and
outcome): bounds a run's memory and how long a stopping runner waits for its batch."""
DELETE_BATCH = 1000
CLEAN_EVERY = timedelta(minutes=10)
MAX_ERROR = 500
"""`OutboxMessage.last_error`'s column width."""
UNCERTAIN = "uncertain: the sender stopped during the attempt"


Effect = Callable[[AsyncSession], Awaitable[object]]
"""A write a channel asks for with an outcome; the sender runs it in the transaction that
records the outcome, under the process's write gate. (Written in `deliver`'s own session it
would, on SQLite, take the database's write lock before the gate: another writer of this
process holding the gate would then wait on the lock, and the sender on the gate.)"""


def _effects() -> tuple[Effect, ...]:
    return field(default=(), compare=False, repr=False)  # type: ignore[return-value]


@dataclass(frozen=True)
class Delivered:
    """The recipient took the message."""

    effects: tuple[Effect, ...] = _effects()


@dataclass(frozen=True)
class RetryLater:
    """A temporary failure: try again after `after_seconds` (the recipient's wish, e.g. a
    Retry-After, or the channel's own reckoning) or, when None, the channel's backoff."""

    error: str
    after_seconds: float | None = None
    effects: tuple[Effect, ...] = _effects()


@dataclass(frozen=True)
class GiveUp:
    """A permanent failure (refused for good, the recipient gone): never tried again."""

    error: str
    effects: tuple[Effect, ...] = _effects()


Outcome = Delivered | RetryLater | GiveUp


class OutboxChannel(Protocol):
    """How one channel delivers its messages."""

    name: str
    """`OutboxMessage.channel`: 'email' or 'webhook'."""
    at_most_once: bool
    """True: a message claimed by a sender that stopped mid-send is given up, not resent
    (e-mail). False: it is resent (webhooks: at least once, receivers dedupe)."""
    max_age: timedelta
    """Given up this long after it was queued (at most `MAX_AGE`)."""

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` attempts (1 after the first)."""
        ...

    def postpone(self, message: OutboxMessage, now: datetime) -> float | None:
        """Seconds to put `message` off without an attempt (its recipient failed a moment
        ago), or None to attempt it now."""
        ...

    async def deliver(self, session: AsyncSession, message: OutboxMessage) -> Outcome:
        """One attempt. `session` is outside any write transaction and for reads only: a
        channel ends its reads (`end_reads`) before it goes to the network, and returns
        what it wants written as the outcome's `effects`."""
        ...


async def end_reads(session: AsyncSession) -> None:
    """End the read transaction a channel's `deliver` opened, before its network I/O: no
    PostgreSQL session idles in a transaction, and no pool connection is held, for the
    seconds an attempt may take. Loaded objects stay usable (nothing expires on commit)."""
    await session.commit()


async def postpone_recipient(
    session: AsyncSession, channel: str, recipient: str, until: datetime
) -> int:
    """Put the recipient's pending, unclaimed messages due before `until` off to then (an
    effect of a failure: the recipient rests). Returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.recipient == recipient,
            OutboxMessage.claimed_at.is_(None),
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at < until,
        )
        .values(next_attempt_at=until),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# Queueing, in the event's transaction


async def enqueue(
    session: AsyncSession,
    *,
    event: PetitionEvent | int,
    petition_id: int,
    channel: str,
    recipient: str,
    now: datetime,
    max_age: timedelta,
    only_if: ColumnElement[bool] | None = None,
) -> bool:
    """Queue the message `channel`/`recipient` owes for `event`, due now; a message already
    queued for the same event, channel and recipient is left as it is (never queued
    twice). `recipient` names no person: 'petitioner', or a webhook endpoint's id.
    `only_if`: a condition on other tables (the petitioner's consent), checked in the same
    statement (INSERT ... SELECT ... WHERE): one round trip, not a read and a write.
    Returns whether a row was inserted."""
    event_id = event if isinstance(event, int) else event.id
    if event_id is None:
        await session.flush()
        assert not isinstance(event, int)
        event_id = event.id
    values = {
        "event_id": event_id,
        "petition_id": petition_id,
        "channel": channel,
        "recipient": recipient,
        "created_at": now,
        "expires_at": now + min(max_age, MAX_AGE),
        "next_attempt_at": now,
        "attempts": 0,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    if only_if is None:
        statement = insert(OutboxMessage).values(**values)
    else:
        row = select(
            *(
                literal(value, OutboxMessage.__table__.c[name].type)
                for name, value in values.items()
            )
        ).where(only_if)
        statement = insert(OutboxMessage).from_select(list(values), row)
    result = await session.execute(
        statement.on_conflict_do_nothing(index_elements=["event_id", "channel", "recipient"]),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def drop_pending(
    session: AsyncSession, petition_id: int, channel: str, now: datetime, reason: str
) -> int:
    """Give up, in the caller's transaction, the petition's messages of `channel` not yet
    sent nor claimed (an erasure, an unsubscribe); return how many. A message claimed at
    this moment is being sent: its outcome is recorded as it comes."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.petition_id == petition_id,
            OutboxMessage.channel == channel,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.claimed_at.is_(None),
        )
        .values(failed_at=now, last_error=reason[:MAX_ERROR]),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# Sending


@dataclass
class SendReport:
    """What one `send_due` did, message counts by outcome."""

    delivered: int = 0
    retried: int = 0
    given_up: int = 0
    expired: int = 0
    uncertain: int = 0
    reclaimed: int = 0
    """Stale claims of an at-least-once channel released for another attempt."""
    lost_claims: int = 0
    """Messages another sender claimed first (or finished) between the read and the claim."""
    postponed: int = 0
    """Messages their channel put off without an attempt (`OutboxChannel.postpone`)."""
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.given_up


Clock = Callable[[], datetime]


def _clock(now: datetime | Clock) -> Clock:
    if isinstance(now, datetime):
        moment = now
        return lambda: moment
    return now


async def send_due(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    channels: Sequence[OutboxChannel],
    now: datetime | Clock,
    *,
    batch: int = BATCH,
    proceed: Callable[[], bool] = lambda: True,
    max_batches: int | None = None,
) -> SendReport:
    """Send what is due at `now` (a moment, or a clock read at each step), batch after
    batch until none is due or `proceed()` turns false, having first released the stale
    claims and given up the expired messages. Messages of a
    channel not in `channels` (e-mails while PAKN_SMTP_URL is unset) are left to expire."""
    clock = _clock(now)
    by_name: Mapping[str, OutboxChannel] = {channel.name: channel for channel in channels}
    report = SendReport()
    async with sessions() as session:
        await _release_stale(session, writes, by_name, clock(), report)
        await _expire(session, writes, clock(), report)
    batches = 0
    while by_name and proceed() and (max_batches is None or batches < max_batches):
        batches += 1
        async with sessions() as session:
            ids = await _due_ids(session, tuple(by_name), clock(), batch)
            await session.rollback()
            if not ids:
                break
            for message_id in ids:
                if not proceed():
                    break
                await _send_one(session, writes, by_name, message_id, clock, report)
        if len(ids) < batch:
            break
    return report


async def _due_ids(
    session: AsyncSession, channels: Sequence[str], moment: datetime, batch: int
) -> list[int]:
    rows = await session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.claimed_at.is_(None),
            OutboxMessage.next_attempt_at <= moment,
            OutboxMessage.channel.in_(channels),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )
    return list(rows)


def _pending_unclaimed(message_id: int) -> tuple[object, ...]:
    return (
        OutboxMessage.id == message_id,
        OutboxMessage.claimed_at.is_(None),
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
    )


async def _update_pending(session: AsyncSession, message_id: int, **values: object) -> bool:
    """Update the message if it is still pending and unclaimed; whether it was."""
    result = await session.execute(
        update(OutboxMessage).where(*_pending_unclaimed(message_id)).values(**values),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


async def _send_one(
    session: AsyncSession,
    writes: WriteGate,
    channels: Mapping[str, OutboxChannel],
    message_id: int,
    clock: Clock,
    report: SendReport,
) -> None:
    claimed_at = clock()
    async with writes.transaction(session):
        message = await session.get(OutboxMessage, message_id, populate_existing=True)
        if message is None or message.channel not in channels:
            report.lost_claims += 1
            return
        if claimed_at > message.expires_at:
            expired = _expired_error(message.attempts, message.last_error)
            if await _update_pending(session, message_id, failed_at=claimed_at, last_error=expired):
                report.expired += 1
            else:
                report.lost_claims += 1
            return
        if message.next_attempt_at > claimed_at:
            report.postponed += 1  # put off since the batch was read: its recipient rests
            return
        channel = channels[message.channel]
        wait = channel.postpone(message, claimed_at)
        if wait is not None:
            until = claimed_at + timedelta(seconds=max(wait, 0.0))
            if await _update_pending(session, message_id, next_attempt_at=until):
                report.postponed += 1
            else:
                report.lost_claims += 1
            return
        claim = {"claimed_at": claimed_at, "attempts": OutboxMessage.attempts + 1}
        if not await _update_pending(session, message_id, **claim):
            report.lost_claims += 1
            return
    message = await session.get(OutboxMessage, message_id, populate_existing=True)
    assert message is not None
    session.expunge(message)
    try:
        outcome = await channel.deliver(session, message)
    except Exception as error:
        logger.exception("outbox: channel %s failed on message %d", channel.name, message_id)
        outcome = RetryLater(f"internal error: {type(error).__name__}")
        await session.rollback()
    await _record(session, writes, channel, message, claimed_at, outcome, clock(), report)


def _expired_error(attempts: int, last_error: str | None) -> str:
    if attempts == 0:
        return "expired before an attempt"
    text = f"expired after {attempts} attempt{'s' if attempts != 1 else ''}"
    if last_error:
        text += f"; last: {last_error}"
    return text[:MAX_ERROR]


async def _record(
    session: AsyncSession,
    writes: WriteGate,
    channel: OutboxChannel,
    message: OutboxMessage,
    claimed_at: datetime,
    outcome: Outcome,
    moment: datetime,
    report: SendReport,
) -> None:
    values: dict[str, object]
    if isinstance(outcome, Delivered):
        values = {"sent_at": moment, "last_error": None}
        report.delivered += 1
    elif isinstance(outcome, RetryLater):
        wait = outcome.after_seconds
        if wait is None or wait < 0:
            wait = channel.backoff(message.attempts)
        values = {
            "claimed_at": None,
            "next_attempt_at": moment + timedelta(seconds=wait),
            "last_error": outcome.error[:MAX_ERROR],
        }
        report.retried += 1
        report.errors.append(outcome.error)
    else:
        values = {"failed_at": moment, "last_error": outcome.error[:MAX_ERROR]}
        report.given_up += 1
        report.errors.append(outcome.error)
    try:
        async with writes.transaction(session):
            recorded = await _mark(session, message.id, claimed_at, values)
            for effect in outcome.effects:
                await effect(session)
    except Exception:
        if not outcome.effects:
            raise
        logger.exception(
            "outbox: the writes of message %d's outcome failed; it is recorded without them",
            message.id,
        )
        async with writes.transaction(session):
            recorded = await _mark(session, message.id, claimed_at, values)
    if not recorded:
        logger.warning(
            "outbox: message %d was taken from its sender during the attempt (%s)",
            message.id,
            type(outcome).__name__,
        )


async def _mark(
    session: AsyncSession, message_id: int, claimed_at: datetime, values: dict[str, object]
) -> bool:
    """Write an outcome under the claim it was made under; False if the claim was lost."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_at == claimed_at,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        )
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


async def _release_stale(
    session: AsyncSession,
    writes: WriteGate,
    channels: Mapping[str, OutboxChannel],
    moment: datetime,
    report: SendReport,
) -> None:
    """Claims older than `CLAIM_STALE`: given up as uncertain (at most once, and channels
    not configured now: nothing says how they behave) or released for a retry."""
    stale = (
        OutboxMessage.claimed_at.is_not(None),
        OutboxMessage.claimed_at < moment - CLAIM_STALE,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
    )
    again = [name for name, channel in channels.items() if not channel.at_most_once]
    async with writes.transaction(session):
        if again:
            result = await session.execute(
                update(OutboxMessage)
                .where(*stale, OutboxMessage.channel.in_(again))
                .values(claimed_at=None, next_attempt_at=moment),
                execution_options={"synchronize_session": False},
            )
            report.reclaimed += int(result.rowcount or 0)  # type: ignore[attr-defined]
        result = await session.execute(
            update(OutboxMessage)
            .where(*stale, OutboxMessage.channel.not_in(again))
            .values(failed_at=moment, last_error=UNCERTAIN),
            execution_options={"synchronize_session": False},
        )
        report.uncertain += int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _expire(
    session: AsyncSession, writes: WriteGate, moment: datetime, report: SendReport
) -> None:
    """Give up, in bounded batches, the unclaimed messages past their expiry (any channel:
    those of a channel switched off too), keeping their last error."""
    while True:
        async with writes.transaction(session):
            rows = (
                await session.execute(
                    select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.last_error)
                    .where(
                        OutboxMessage.sent_at.is_(None),
                        OutboxMessage.failed_at.is_(None),
                        OutboxMessage.claimed_at.is_(None),
                        OutboxMessage.expires_at < moment,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(BATCH * 10)
                )
            ).all()
            for message_id, attempts, last_error in rows:
                expired = _expired_error(attempts, last_error)
                if await _update_pending(session, message_id, failed_at=moment, last_error=expired):
                    report.expired += 1
        if len(rows) < BATCH * 10:
            return


async def delete_done(
    sessions: async_sessionmaker[AsyncSession], writes: WriteGate, now: datetime
) -> int:
    """Delete, in bounded batches, the rows sent or given up `KEEP_DONE` before `now`; it
    reads the whole table, so the job runs it every `CLEAN_EVERY`, not at every run."""
    cutoff = now - KEEP_DONE
    deleted = 0
    async with sessions() as session:
        while True:
            async with writes.transaction(session):
                ended = (
                    select(OutboxMessage.id)
                    .where(or_(OutboxMessage.sent_at < cutoff, OutboxMessage.failed_at < cutoff))
                    .limit(DELETE_BATCH)
                    .scalar_subquery()
                )
                result = await session.execute(
                    delete(OutboxMessage).where(OutboxMessage.id.in_(ended)),
                    execution_options={"synchronize_session": False},
                )
            count = int(result.rowcount or 0)  # type: ignore[attr-defined]
            deleted += count
            if count < DELETE_BATCH:
                return deleted


# The backlog, for `pakn outbox` (no personal data: the outbox holds none)


@dataclass(frozen=True)
class ChannelBacklog:
    channel: str
    pending: int
    """Neither sent nor given up (in flight and retrying included)."""
    oldest_pending: datetime | None
    """When the oldest pending message was queued."""
    due: int
    """Pending, not claimed, due now."""
    in_flight: int
    """Claimed by a sender now."""
    retrying: int
    """Pending after a failed attempt."""
    sent_last_day: int
    failed_last_day: int
    errors: list[tuple[str, str, int]]
    """('failed' or 'retrying', the error, how many messages), the most frequent first: the
    errors of messages given up in the last day and of those still retrying."""


MAX_ERRORS_SHOWN = 5


async def backlog(
    session: AsyncSession, now: datetime, channels: Sequence[str] = ("email", "webhook")
) -> list[ChannelBacklog]:
    """The outbox per channel: `channels`, and any other that has rows."""
    day_ago = now - timedelta(days=1)
    pending = OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)
    rows = (
        await session.execute(
            select(
                OutboxMessage.channel,
                func.count().filter(pending),
                func.min(OutboxMessage.created_at).filter(pending),
                func.count().filter(
                    pending,
                    OutboxMessage.claimed_at.is_(None),
                    OutboxMessage.next_attempt_at <= now,
                ),
                func.count().filter(pending, OutboxMessage.claimed_at.is_not(None)),
                func.count().filter(pending, OutboxMessage.attempts > 0),
                func.count().filter(OutboxMessage.sent_at >= day_ago),
                func.count().filter(OutboxMessage.failed_at >= day_ago),
            ).group_by(OutboxMessage.channel)
        )
    ).all()
    found = {row[0]: row for row in rows}
    errors: dict[str, list[tuple[str, str, int]]] = {}
    for state, condition in (
        ("failed", OutboxMessage.failed_at >= day_ago),
        ("retrying", pending & (OutboxMessage.attempts > 0)),
    ):
        for channel, error, count in await session.execute(
            select(OutboxMessage.channel, OutboxMessage.last_error, func.count())
            .where(condition, OutboxMessage.last_error.is_not(None))
            .group_by(OutboxMessage.channel, OutboxMessage.last_error)
        ):
            errors.setdefault(channel, []).append((state, str(error), int(count)))
    result = []
    for channel in [*channels, *sorted(set(found) - set(channels))]:
        row = found.get(channel)
        counts = [int(value or 0) for value in row[3:]] if row else [0] * 5
        shown = sorted(errors.get(channel, []), key=lambda item: (-item[2], item[0], item[1]))
        result.append(
            ChannelBacklog(
                channel=channel,
                pending=int(row[1] or 0) if row else 0,
                oldest_pending=row[2] if row else None,
                due=counts[0],
                in_flight=counts[1],
                retrying=counts[2],
                sent_last_day=counts[3],
                failed_last_day=counts[4],
                errors=shown[:MAX_ERRORS_SHOWN],
            )
        )
    return result
