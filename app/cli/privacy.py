"""`pakn privacy purge`: erase now the contact data past PAKN_CONTACT_RETENTION_DAYS."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.cli.command import Commands, add_group
from app.settings import Settings


def register(commands: Commands) -> None:
    privacy = add_group(commands, "privacy", "petitioners' personal data", run)
    purge = privacy.add_parser(
        "purge",
        help="erase the contact data of settled petitions whose last event is older than "
        "PAKN_CONTACT_RETENTION_DAYS",
    )
    purge.add_argument(
        "--batch",
        type=int,
        default=None,
        help="petitions per transaction (default 500, at most 10000)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.services.erasure import MAX_PURGE_BATCH

    if args.batch is not None and not 1 <= args.batch <= MAX_PURGE_BATCH:
        print(f"pakn: --batch takes a whole number from 1 to {MAX_PURGE_BATCH}", file=sys.stderr)
        return 2
    days = settings.contact_retention_days
    if days == 0:
        print("pakn: PAKN_CONTACT_RETENTION_DAYS is 0: contact data is kept; nothing erased")
        return 0
    erased = asyncio.run(_purge(settings, args.batch))
    print(
        f"pakn: erased the contact data of {erased} petitions "
        f"(settled, last event more than {days} days ago)"
    )
    return 0


async def _purge(settings: Settings, batch: int | None) -> int:
    from app.domain.timezone import now
    from app.services import erasure, notifications
    from db.engine import is_sqlite, open_engine, session_factory
    from db.transactions import WriteGate

    async with open_engine(settings.database_url) as engine:
        sessions = session_factory(engine)
        writes = WriteGate(serialise=is_sqlite(settings.database_url))
        options = {} if batch is None else {"batch": batch}
        erased = await erasure.purge(
            sessions,
            writes,
            settings.contact_retention_days,
            now,
            notify=notifications.for_settings(settings),
            **options,
        )
        async with sessions() as session:
            await erasure.checkpoint(session)
        return erased
