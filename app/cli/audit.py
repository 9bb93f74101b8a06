"""`pakn audit verify`: the event log's hash chain, and the transparency log against it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli.command import Commands, add_group
from app.cli.session import run_in_session
from app.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def register(commands: Commands) -> None:
    audit = add_group(commands, "audit", "check the event log", run)
    audit.add_parser(
        "verify",
        help="report the first broken link of the hash chain, and the first leaf, subtree "
        "hash or checkpoint of the transparency log that does not match the events",
    )


def run(_args: argparse.Namespace, settings: Settings) -> int:
    from db import event_log, log_checkpoints, log_leaves

    failed = False
    count, broken = run_in_session(settings.database_url, event_log.verify)
    if broken is None:
        print(f"pakn: the event chain is intact ({count} events)")
    else:
        print(f"pakn: the event chain is broken at event {broken.event_id}: {broken.reason}")
        failed = True

    async def leaves(session: AsyncSession) -> tuple[int, str | None]:
        return await session.run_sync(lambda sync: log_leaves.audit(sync.connection()))

    count, problem = run_in_session(settings.database_url, leaves)
    if problem is None:
        print(f"pakn: the transparency log's {count} leaves match the events")
    else:
        print(f"pakn: the transparency log does not match the events: {problem}")
        failed = True
    count, problem = run_in_session(settings.database_url, log_checkpoints.audit)
    if problem is None:
        print(f"pakn: the transparency log's {count} checkpoints hold")
    else:
        print(f"pakn: a transparency log checkpoint does not hold: {problem}")
        failed = True
    return 1 if failed else 0
