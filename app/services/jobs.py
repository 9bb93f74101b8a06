"""The background jobs of a pakn worker, and the runner that runs them
(`app.services.background`), started and stopped by the application's lifespan."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.key_wrapping import KeyEncryptionKey
from app.domain.timezone import now
from app.services import erasure, outbox, overdue, webhooks, witness_push
from app.services.background import FLUSH_SECONDS, BackgroundRunner, Job, Lease
from db import heartbeats, log_checkpoints
from db.engine import create_engine, session_factory
from db.leadership import leadership_for
from db.transactions import WriteGate

CONTACT_PURGE = "contact-purge"
OUTBOX = "outbox"
OVERDUE_CLOCK = "overdue-clock"
LOG_SIGNER = "log-checkpoint"
BACKGROUND_POOL = 2
"""Connections of the background jobs' own engine: their work never waits for, nor holds,
one of the requests' connections."""

logger = logging.getLogger("pakn.jobs")


def contact_purge(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    retention_days: int,
    interval_seconds: float,
    notify: overdue.Notify | None = None,
) -> Job:
    """Erase the contact data past PAKN_CONTACT_RETENTION_DAYS, every PAKN_PURGE_INTERVAL,
    queueing what each CONTACT_ERASED event owes through `notify` (its webhooks); on SQLite
    a run that erased something ends with a checkpoint on the job's own connection, so the
    deleted bytes leave the write-ahead log too."""

    async def run(lease: Lease) -> int:
        erased = await erasure.purge(
            sessions, writes, retention_days, now, proceed=lambda: lease.held, notify=notify
        )
        if erased:
            logger.info("contact purge: erased the contact data of %d petitions", erased)
            async with sessions() as session:
                await erasure.checkpoint_after_erasure(writes, session)
        return erased

    return Job(CONTACT_PURGE, interval_seconds, run)


def outbox_sender(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    channels: Sequence[outbox.OutboxChannel],
    interval_seconds: float,
) -> Job:
    """Send the outbox's due messages every PAKN_OUTBOX_INTERVAL (one leader across all
    workers and hosts: each message is claimed once), and every `outbox.CLEAN_EVERY` delete
    the rows that ended days ago."""
    cleaned: list[datetime] = []

    async def run(lease: Lease) -> outbox.SendReport:
        report = await outbox.send_due(sessions, writes, channels, now, proceed=lambda: lease.held)
        moment = now()
        if lease.held and (not cleaned or moment - cleaned[-1] >= outbox.CLEAN_EVERY):
            deleted = await outbox.delete_done(sessions, writes, moment)
            cleaned[:] = [moment]
            if deleted:
                logger.info("outbox: deleted %d messages sent or given up", deleted)
        if report.given_up or report.expired or report.uncertain:
            logger.warning(
                "outbox: %d sent, %d to retry, %d given up, %d expired, %d uncertain",
                report.delivered,
                report.retried,
                report.given_up,
                report.expired,
                report.uncertain,
            )
        return report

    return Job(OUTBOX, interval_seconds, run)


def overdue_clock(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    notify: overdue.Notify,
    interval_seconds: float,
    urge: overdue.Urge | None = None,
    auto_urge_days: int = 0,
) -> Job:
    """Write the OVERDUE events of the deadlines that passed, every PAKN_OVERDUE_INTERVAL
    (one leader across all workers and hosts; a run after downtime catches up, a batch a
    transaction); with `urge` and PAKN_AUTO_URGE_DAYS, then urge the petitions that many
    working days overdue."""

    async def run(lease: Lease) -> int:
        written = await overdue.run_clock(sessions, writes, now, notify, proceed=lambda: lease.held)
        if written:
            logger.info("overdue clock: %d deadlines passed", written)
        if urge is not None and auto_urge_days > 0 and lease.held:
            urged = await overdue.run_auto_urge(
                sessions, writes, now, auto_urge_days, urge, proceed=lambda: lease.held
            )
            if urged:
                logger.info("overdue clock: urged %d petitions overdue", urged)
        return written

    return Job(OVERDUE_CLOCK, interval_seconds, run)


def log_signer(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    kek: KeyEncryptionKey,
    public_url: str,
    interval_seconds: float,
    witnesses: Sequence[witness_push.Witness] = (),
) -> Job:
    """Sign a checkpoint of the transparency log every PAKN_CHECKPOINT_SECONDS while the
    tree grows (one leader across all workers and hosts: one signer, no two checkpoints
    of one size), then bring the latest to the witnesses that have not cosigned it."""

    async def run(_lease: Lease) -> int:
        async with sessions() as session:
            try:
                async with writes.transaction(session):
                    issued = await log_checkpoints.issue(session, kek, public_url, now())
            except log_checkpoints.LogForked as forked:
                logger.error("transparency log: no checkpoint signed: %s", forked)
                return 0
        await witness_push.push(sessions, writes, witnesses)
        return 0 if issued is None else 1

    return Job(LOG_SIGNER, interval_seconds, run)


def host_name() -> str:
    """This process, as a heartbeat names it: the host's name and the worker's pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def with_heartbeat(
    job: Job, sessions: async_sessionmaker[AsyncSession], writes: WriteGate, host: str
) -> Job:
    """`job`, recording each of its runs (`db.heartbeats`) once it ends or fails; a run
    cut short by a stopping runner records nothing. A heartbeat that cannot be written
    is logged and never fails the job."""

    async def beat(succeeded: bool) -> None:
        try:
            async with sessions() as session, writes.transaction(session):
                await heartbeats.beat(
                    session, job.name, host, now(), job.interval_seconds, succeeded=succeeded
                )
        except Exception as error:
            logger.warning("background job %s: heartbeat not recorded: %r", job.name, error)

    async def run(lease: Lease) -> object:
        try:
            result = await job.run(lease)
        except Exception:
            await beat(False)
            raise
        await beat(True)
        return result

    return Job(job.name, job.interval_seconds, run)


class Background:
    """A worker's runner and the engine its jobs work through, made when any job runs (a
    retention of 0 days, no outbox channel and no overdue clock run none)."""

    def __init__(
        self,
        database_url: str,
        writes: WriteGate,
        *,
        retention_days: int,
        purge_interval_seconds: float,
        statement_timeout: float | None = None,
        outbox_channels: Sequence[outbox.OutboxChannel] = (),
        outbox_interval_seconds: float = 5.0,
        webhook_key: KeyEncryptionKey | None = None,
        webhook_allow_private: bool = False,
        overdue_notify: overdue.Notify | None = None,
        overdue_interval_seconds: float = 60.0,
        auto_urge: overdue.Urge | None = None,
        auto_urge_days: int = 0,
        purge_notify: overdue.Notify | None = None,
        log_key: KeyEncryptionKey | None = None,
        public_url: str = "",
        checkpoint_seconds: float = 10.0,
        witnesses: Sequence[witness_push.Witness] = (),
    ) -> None:
        """`webhook_key` (the key encryption key the endpoints' secrets are under): deliver
        webhooks, with the outbox's other channels; None: not here (the tests' servers).
        `overdue_notify` (`notifications.for_settings`): run the overdue clock; None: not
        here. `auto_urge` (`transitions.system_urge`) with `auto_urge_days` > 0: the clock
        urges the petitions that many working days overdue. `purge_notify`
        (`notifications.for_settings`): what the contact purge queues for its
        CONTACT_ERASED events; None: nothing. `log_key` (the key encryption key the log
        keys are under): sign the log's checkpoints for `public_url` and push them to
        `witnesses`; None: not here."""
        self.engine: AsyncEngine | None = None
        jobs: list[Job] = []
        if webhook_key is not None:
            outbox_channels = [
                *outbox_channels,
                webhooks.WebhookChannel(webhook_key, allow_private=webhook_allow_private),
            ]
        wanted = retention_days > 0 or bool(outbox_channels) or overdue_notify is not None
        if wanted or log_key is not None:
            self.engine = create_engine(
                database_url, pool_size=BACKGROUND_POOL, statement_timeout=statement_timeout
            )
            sessions = session_factory(self.engine)
            if retention_days > 0:
                jobs.append(
                    contact_purge(
                        sessions, writes, retention_days, purge_interval_seconds, purge_notify
                    )
                )
            if outbox_channels:
                jobs.append(
                    outbox_sender(sessions, writes, outbox_channels, outbox_interval_seconds)
                )
            if overdue_notify is not None:
                jobs.append(
                    overdue_clock(
                        sessions,
                        writes,
                        overdue_notify,
                        overdue_interval_seconds,
                        auto_urge,
                        auto_urge_days,
                    )
                )
            if log_key is not None:
                jobs.append(
                    log_signer(sessions, writes, log_key, public_url, checkpoint_seconds, witnesses)
                )
            host = host_name()
            jobs = [with_heartbeat(job, sessions, writes, host) for job in jobs]
        self.runner = BackgroundRunner(jobs, leadership_for(database_url))

    def start(self) -> None:
        self.runner.start()

    async def stop(self) -> None:
        """Send what the outbox owes now if this process leads it (a draining host leaves
        nothing due behind for the next leader to find an interval later), then stop."""
        if not await self.runner.flush(OUTBOX):
            logger.warning("outbox: not flushed within %.0f s of stopping", FLUSH_SECONDS)
        await self.runner.stop()
        if self.engine is not None:
            await self.engine.dispose()
