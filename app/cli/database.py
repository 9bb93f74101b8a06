"""`pakn db upgrade|seed`: the database schema and its reference data."""

from __future__ import annotations

import argparse

from app.cli.command import Commands, add_group
from app.settings import Settings


def register(commands: Commands) -> None:
    db = add_group(commands, "db", "database schema and reference data", run)
    db.add_parser("upgrade", help="apply migrations")
    db.add_parser("seed", help="load reference agencies and fields (idempotent)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Both migrate first: the reference data is seeded into the newest schema. Both
    encrypt sealing keys stored raw (migration 0008); `seed` gives every agency a key."""
    from app.cli.keys import prepare_or_refuse
    from db.migrate import upgrade

    if args.db_command == "seed":
        return 0 if prepare_or_refuse(settings) else 2
    upgrade(settings.database_url, key_encryption_key=settings.key_encryption_key)
    return 0
