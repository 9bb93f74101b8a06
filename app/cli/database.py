"""`pakn db upgrade [--check]|seed`: the database schema and its reference data."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from app.cli.command import Commands, add_group
from app.settings import Settings

PENDING = 1
TOO_NEW = 2
UNREACHABLE = 3
"""`--check`'s exit codes beside 0 (nothing pending). 3: there is no database to ask,
unlike 2: there is one, migrated by a newer pakn past what this code serves."""


def register(commands: Commands) -> None:
    db = add_group(commands, "db", "database schema and reference data", run)
    upgrade = db.add_parser("upgrade", help="apply migrations")
    upgrade.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 0 when no migration is pending (the schema is at this "
        "code's newest, or at a newer pakn's that this code serves), 1 when migrations are "
        "pending, 2 when a newer pakn migrated past this code, 3 when no database answers",
    )
    db.add_parser("seed", help="load reference agencies and fields (idempotent)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Both migrate first: the reference data is seeded into the newest schema. Both
    encrypt sealing keys stored raw (migration 0008); `seed` gives every agency a key.
    Neither touches a schema a newer pakn migrated (`db.migrate.Standing`)."""
    from app.cli.keys import prepare_or_refuse
    from db.migrate import upgrade

    if args.db_command == "seed":
        return 0 if prepare_or_refuse(settings) else 2
    verdict = assess(settings.database_url, creating=not args.check)
    if args.check or not verdict.upgradable:
        print(f"pakn: {verdict.message}", file=sys.stderr if verdict.code > PENDING else sys.stdout)
        return verdict.code
    upgrade(settings.database_url, key_encryption_key=settings.key_encryption_key)
    return 0


@dataclass(frozen=True)
class Verdict:
    code: int
    message: str
    upgradable: bool
    """`pakn db upgrade` has migrations to run."""


def assess(database_url: str, *, creating: bool) -> Verdict:
    """Where the schema stands, changing nothing. `creating`: a SQLite file that does
    not exist yet is one to create (`pakn db upgrade`), not a database missing (`--check`)."""
    from sqlalchemy.engine import make_url

    from db.availability import database_unavailable
    from db.engine import is_sqlite
    from db.migrate import Standing, known_revisions, schema_state_now

    known = known_revisions()
    path = make_url(database_url).database
    if is_sqlite(database_url) and path and path != ":memory:" and not Path(path).exists():
        if creating:
            return Verdict(PENDING, "a new database", upgradable=True)
        return Verdict(UNREACHABLE, f"there is no database at {path}", upgradable=False)
    try:
        schema = schema_state_now(database_url)
    except Exception as error:
        if not database_unavailable(error):
            raise
        return Verdict(UNREACHABLE, f"the database does not answer: {error}", upgradable=False)
    standing = schema.standing(known)
    if standing is Standing.UNSERVABLE:
        message = (
            f"the database is at migration {schema.revision}, which this code does not know "
            f"(its newest is {known[-1]}) and cannot serve: a newer pakn migrated it past "
            f"code older than {schema.oldest_reader or schema.revision}"
        )
        return Verdict(TOO_NEW, message, upgradable=False)
    if standing is Standing.AHEAD:
        message = (
            f"the schema is at migration {schema.revision} of a newer pakn, which this code "
            f"serves (code from {schema.oldest_reader} on does); nothing is pending"
        )
        return Verdict(0, message, upgradable=False)
    current = schema.revision
    pending = known[known.index(current) + 1 :] if current is not None else known
    if not pending:
        return Verdict(0, f"the schema is at migration {current}; nothing is pending", False)
    message = (
        f"{len(pending)} migration(s) pending: {', '.join(pending)} "
        f"(the schema is at {current or 'none'}); run `pakn db upgrade`"
    )
    return Verdict(PENDING, message, upgradable=True)
