"""`pakn outbox`: the outbox's backlog per channel (e-mails, webhooks), and why messages
fail. It prints no personal data: the outbox holds none (an e-mail's address is read from
the petition's contact only when it is sent, and its errors are stripped of addresses)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from app.cli.command import Commands
from app.cli.session import run_in_session
from app.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.services.outbox import ChannelBacklog

COLUMNS = (
    "channel",
    "pending",
    "oldest_pending",
    "due_now",
    "in_flight",
    "retrying",
    "sent_24h",
    "failed_24h",
)


def register(commands: Commands) -> None:
    outbox = commands.add_parser(
        "outbox",
        help="the outbox's backlog per channel (e-mails, webhooks): pending, oldest, due, "
        "sent and failed in the last day, and the last errors",
    )
    outbox.set_defaults(handler=run)


def age(since: datetime | None, now: datetime) -> str:
    """How long ago, to the second below a minute, else to the minute (`-`: nothing)."""
    if since is None:
        return "-"
    seconds = max(int((now - since).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def render(backlogs: list[ChannelBacklog], now: datetime, smtp_configured: bool) -> str:
    lines = ["\t".join(COLUMNS)]
    for b in backlogs:
        lines.append(
            "\t".join(
                str(value)
                for value in (
                    b.channel,
                    b.pending,
                    age(b.oldest_pending, now),
                    b.due,
                    b.in_flight,
                    b.retrying,
                    b.sent_last_day,
                    b.failed_last_day,
                )
            )
        )
    for b in backlogs:
        for state, error, count in b.errors:
            lines.append(f"{b.channel} {state} ({count}): {error}")
    if not smtp_configured:
        lines.append("email: PAKN_SMTP_URL is unset: no e-mail is queued or sent")
    return "\n".join(lines)


def run(_args: argparse.Namespace, settings: Settings) -> int:
    from app.domain.timezone import now
    from app.services import outbox

    moment = now()

    async def read(session: AsyncSession) -> list[ChannelBacklog]:
        return await outbox.backlog(session, moment)

    backlogs = run_in_session(settings.database_url, read)
    print(render(backlogs, moment, bool(settings.smtp_url)))
    return 0
