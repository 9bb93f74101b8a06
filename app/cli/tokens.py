"""`pakn token create|list|revoke`: officers' bearer tokens."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import TYPE_CHECKING

from app.cli.command import Commands, add_group
from app.cli.session import run_in_session
from app.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def register(commands: Commands) -> None:
    token = add_group(commands, "token", "officers' bearer tokens", run)
    create = token.add_parser("create", help="print a new token (shown once)")
    create.add_argument("--role", required=True, choices=["COORDINATOR", "AGENCY_OFFICER", "ADMIN"])
    create.add_argument("--agency", help="agency code, for AGENCY_OFFICER")
    create.add_argument("--label")
    token.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = token.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Migrates first: the tokens table may be newer than the database."""
    from db.migrate import upgrade

    upgrade(settings.database_url)
    work = {"create": _create, "list": _list, "revoke": _revoke}[args.token_command]
    return run_in_session(settings.database_url, partial(work, args))


async def _create(args: argparse.Namespace, session: AsyncSession) -> int:
    """Prints the token on stdout, alone, so that a script can capture it."""
    from app.domain.timezone import now
    from app.domain.vocabulary import ActorRole
    from db import tokens
    from db.queries.reference import agency_by_code

    role = ActorRole(args.role)
    agency_id = None
    if role is ActorRole.AGENCY_OFFICER:
        if not args.agency:
            print("pakn: an AGENCY_OFFICER token needs --agency CODE", file=sys.stderr)
            return 2
        agency = await agency_by_code(session, args.agency)
        if agency is None:
            print(f"pakn: no agency has the code {args.agency!r}", file=sys.stderr)
            return 2
        agency_id = agency.id
    elif args.agency:
        print("pakn: --agency goes only with --role AGENCY_OFFICER", file=sys.stderr)
        return 2
    row, token = await tokens.create(session, role.value, agency_id, args.label, now())
    print(token)
    print(f"pakn: token {row.id} created; it is shown only this once", file=sys.stderr)
    return 0


async def _list(_args: argparse.Namespace, session: AsyncSession) -> int:
    from sqlalchemy import select

    from db import tokens
    from db.models import Agency

    codes = dict((await session.execute(select(Agency.id, Agency.code))).all())
    for row in await tokens.list_all(session):
        state = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "active"
        agency = codes.get(row.agency_id, "-")
        print(f"{row.id}\t{row.role}\t{agency}\t{state}\t{row.label or ''}")
    return 0


async def _revoke(args: argparse.Namespace, session: AsyncSession) -> int:
    from app.domain.timezone import now
    from db import tokens

    if await tokens.revoke(session, args.id, now()):
        print(f"pakn: token {args.id} revoked", file=sys.stderr)
        return 0
    print(f"pakn: no active token {args.id}", file=sys.stderr)
    return 1
