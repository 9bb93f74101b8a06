"""`pakn db upgrade|seed`: the database schema and its reference data."""

from __future__ import annotations

import argparse
import asyncio

from app.cli.command import Commands, add_group
from app.settings import Settings


def register(commands: Commands) -> None:
    db = add_group(commands, "db", "database schema and reference data", run)
    db.add_parser("upgrade", help="apply migrations")
    db.add_parser("seed", help="load reference agencies and fields (idempotent)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Both migrate first: the reference data is seeded into the newest schema."""
    from db.bootstrap import seed
    from db.migrate import upgrade

    upgrade(settings.database_url)
    if args.db_command == "seed":
        asyncio.run(seed(settings.database_url))
    return 0
