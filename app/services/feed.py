"""The live event feed: every committed event, in commit order, to every subscriber.

One pump per worker reads new events from the event log (`id > last seen`) whenever it is
woken, and fans them out to subscribers' bounded queues. It is woken by this worker's own
commits, by PostgreSQL NOTIFY from other workers and hosts (sent by the writing
transaction, so delivered only when it commits), and by a slow poll as a safety net. The
log, not the notification, carries the events: a lost or merged notification, or a dropped
listener connection, delays an event but never loses it.

A subscriber that resumes from a cursor is registered first and then replays the log
from its cursor; live events that arrive meanwhile wait in its queue and those it already
replayed are skipped, so the seam between replay and live loses and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.vocabulary import dated_when_written
from db.models import PetitionEvent
from db.queries import events

logger = logging.getLogger("pakn.feed")

BATCH = 500


@dataclass(frozen=True)
class Audience:
    """Who listens: the public, or an officer (who also hears internal events they handle)."""

    coordinator: bool = False
    agency_id: int | None = None

    def may_see(self, event: PetitionEvent) -> bool:
        if event.is_public or self.coordinator:
            return True
        return self.agency_id is not None and self.agency_id in (
            event.agency_id,
            event.petition.agency_id,
        )


@dataclass(frozen=True)
class Interest:
    """Which events a subscriber asked for: one petition, one agency's, or all."""

    petition_id: int | None = None
    agency_id: int | None = None

    def wants(self, event: PetitionEvent) -> bool:
        if self.petition_id is not None and event.petition_id != self.petition_id:
            return False
        if self.agency_id is not None:
            return self.agency_id in (event.agency_id, event.petition.agency_id)
        return True


class SlowSubscriber(Exception):
    """The subscriber fell more than a queue behind; it should resume from its cursor."""

    def __init__(self, last_id: int | None) -> None:
        super().__init__("subscriber too slow")
        self.last_id = last_id


@dataclass(eq=False)
class Subscriber:
    interest: Interest
    audience: Audience
    queue: asyncio.Queue[PetitionEvent | None]
    overflowed: bool = False

    def accepts(self, event: PetitionEvent) -> bool:
        return self.interest.wants(event) and self.audience.may_see(event)

    def offer(self, event: PetitionEvent) -> None:
        if self.overflowed or not self.accepts(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True

    def close(self) -> None:
        """End the subscription: whatever is queued is dropped; the client resumes later."""
        _drain(self)
        self.queue.put_nowait(None)


FEED_TASK = "pakn-event-pump"
"""The name of the task that reads new events and hands them to subscribers."""


@dataclass
class EventFeed:
    sessions: async_sessionmaker[AsyncSession]
    poll_interval: float = 2.0
    queue_size: int = 1000
    last_id: int = 0
    _subscribers: set[Subscriber] = field(default_factory=set)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _stopping: bool = False
    on_stop: list[Callable[[], object]] = field(default_factory=list)
    delivered: Callable[[datetime], object] | None = None
    """Told each event's stored time as the pump hands the event to this worker's
    subscribers, once per event (the feed's lag, for the metrics); not for the events
    dated in the past (`vocabulary.dated_when_written`)."""
    subscribed: Callable[[int], object] | None = None
    """Told how many subscriptions this worker's feed serves, whenever that changes."""

    async def start(self) -> None:
        async with self.sessions() as session:
            self.last_id = await events.last_id(session)
        self._task = asyncio.create_task(self._pump(), name=FEED_TASK)

    def wake(self) -> None:
        """Something was committed: look for new events now."""
        self._wake.set()

    async def stop(self) -> None:
        """End every subscription and the pump. Shutdown closes the sockets (1012) first,
        so no client takes the end of its subscription for the end of the stream."""
        if self._stopping:
            return
        self._stopping = True
        self._wake.set()
        for subscriber in list(self._subscribers):
            subscriber.close()
        if self._task is not None:
            await self._task
        for callback in self.on_stop:
            callback()

    async def _pump(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            self._wake.clear()
            try:
                await self._deliver_new()
            except Exception:
                logger.exception("event pump: reading the log failed; retrying")
                await asyncio.sleep(self.poll_interval)

    async def _deliver_new(self) -> None:
        while not self._stopping:
            async with self.sessions() as session:
                batch = await events.after(session, self.last_id, BATCH)
            for event in batch:
                for subscriber in list(self._subscribers):
                    subscriber.offer(event)
                self.last_id = event.id
                if self.delivered is not None and dated_when_written(
                    event.action, event.actor_role
                ):
                    self.delivered(event.at)
            if len(batch) < BATCH:
                return

    async def _replay(self, subscriber: Subscriber, after_id: int) -> AsyncIterator[PetitionEvent]:
        cursor = after_id
        while True:
            async with self.sessions() as session:
                batch = await events.after(
                    session, cursor, BATCH, petition_id=subscriber.interest.petition_id
                )
            for event in batch:
                cursor = event.id
                if subscriber.accepts(event):
                    yield event
            if len(batch) < BATCH:
                return

    async def stream(
        self, interest: Interest, audience: Audience, after_id: int | None
    ) -> AsyncIterator[PetitionEvent]:
        """Events for one subscriber: replayed after `after_id` (if given), then live."""
        subscriber = Subscriber(interest, audience, asyncio.Queue(self.queue_size))
        self._subscribers.add(subscriber)
        self._count_subscribers()
        last = after_id
        try:
            while last is not None:
                async for event in self._replay(subscriber, last):
                    last = event.id
                    yield event
                if not subscriber.overflowed:
                    break
                _drain(subscriber)
            while not self._stopping:
                if subscriber.overflowed:
                    raise SlowSubscriber(last)
                event = await subscriber.queue.get()
                if event is None:
                    return
                if last is not None and event.id <= last:
                    continue
                last = event.id
                yield event
        finally:
            self._subscribers.discard(subscriber)
            self._count_subscribers()

    def _count_subscribers(self) -> None:
        if self.subscribed is not None:
            self.subscribed(len(self._subscribers))


def _drain(subscriber: Subscriber) -> None:
    """Forget what queued during a replay that overflowed; the next replay reads it."""
    while not subscriber.queue.empty():
        subscriber.queue.get_nowait()
    subscriber.overflowed = False
