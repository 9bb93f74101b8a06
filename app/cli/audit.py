"""`pakn audit verify`: the event log's hash chain."""

from __future__ import annotations

import argparse

from app.cli.command import Commands, add_group
from app.cli.session import run_in_session
from app.settings import Settings


def register(commands: Commands) -> None:
    audit = add_group(commands, "audit", "check the event log", run)
    audit.add_parser("verify", help="report the first broken link of the hash chain")


def run(_args: argparse.Namespace, settings: Settings) -> int:
    from db import event_log

    count, broken = run_in_session(settings.database_url, event_log.verify)
    if broken is None:
        print(f"pakn: the event chain is intact ({count} events)")
        return 0
    print(f"pakn: the event chain is broken at event {broken.event_id}: {broken.reason}")
    return 1
