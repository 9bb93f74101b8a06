"""`pakn db upgrade [--check]|seed`: the database schema and its reference data."""

from __future__ import annotations

import argparse
import sys

from app.cli.command import Commands, add_group
from app.settings import Settings


def register(commands: Commands) -> None:
    db = add_group(commands, "db", "database schema and reference data", run)
    upgrade = db.add_parser("upgrade", help="apply migrations")
    upgrade.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 0 when the schema is at this code's newest migration, "
        "1 when migrations are pending, 2 when the database is at one this code does not know",
    )
    db.add_parser("seed", help="load reference agencies and fields (idempotent)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Both migrate first: the reference data is seeded into the newest schema. Both
    encrypt sealing keys stored raw (migration 0008); `seed` gives every agency a key."""
    from app.cli.keys import prepare_or_refuse
    from db.migrate import upgrade

    if args.db_command == "seed":
        return 0 if prepare_or_refuse(settings) else 2
    if args.check:
        return check(settings.database_url)
    upgrade(settings.database_url, key_encryption_key=settings.key_encryption_key)
    return 0


def check(database_url: str) -> int:
    """Say whether a migration is pending, changing nothing (an operator's or a deploy
    script's question before `pakn db upgrade`)."""
    from db.availability import database_unavailable
    from db.migrate import database_revision_now, known_revisions

    try:
        current = database_revision_now(database_url)
    except Exception as error:
        if not database_unavailable(error):
            raise
        print(f"pakn: the database does not answer: {error}", file=sys.stderr)
        return 2
    known = known_revisions()
    if current is not None and current not in known:
        print(
            f"pakn: the database is at migration {current}, which this code does not know "
            f"(its newest is {known[-1]}): it was upgraded by a newer pakn",
            file=sys.stderr,
        )
        return 2
    pending = known[known.index(current) + 1 :] if current is not None else known
    if not pending:
        print(f"pakn: the schema is at migration {current}; nothing is pending")
        return 0
    print(
        f"pakn: {len(pending)} migration(s) pending: {', '.join(pending)} "
        f"(the schema is at {current or 'none'}); run `pakn db upgrade`"
    )
    return 1
