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

    count, broken = run_in_session(settings.database_url, event_log.verify)
    problem = f"at event {broken.event_id}: {broken.reason}" if broken else None
    passed = _report(
        count, problem, "the event chain is intact ({} events)", "the event chain is broken"
    )

    async def leaves(session: AsyncSession) -> tuple[int, str | None]:
        return await session.run_sync(lambda sync: log_leaves.audit(sync.connection()))

    count, problem = run_in_session(settings.database_url, leaves)
    passed &= _report(
        count,
        problem,
        "the transparency log's {} leaves match the events",
        "the transparency log does not match the events:",
    )
    count, problem = run_in_session(settings.database_url, log_checkpoints.audit)
    passed &= _report(
        count,
        problem,
        "the transparency log's {} checkpoints hold",
        "a transparency log checkpoint does not hold:",
    )
    return 0 if passed else 1


def _report(count: int, problem: str | None, intact: str, broken: str) -> bool:
    print(f"pakn: {intact.format(count)}" if problem is None else f"pakn: {broken} {problem}")
    return problem is None
