"""`pakn keys rotate`: agencies' answer-sealing keys."""

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
    keys = add_group(commands, "keys", "agencies' answer-sealing keys", run)
    rotate = keys.add_parser("rotate", help="retire an agency's key and make a new one")
    rotate.add_argument("--agency", required=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    return run_in_session(settings.database_url, partial(_rotate, args.agency))


async def _rotate(code: str, session: AsyncSession) -> int:
    """Prints the new key's id on stdout."""
    from app.domain.timezone import now
    from db import keys
    from db.queries.reference import agency_by_code

    agency = await agency_by_code(session, code)
    if agency is None:
        print(f"pakn: no agency has the code {code!r}", file=sys.stderr)
        return 2
    key = await keys.rotate(session, agency, now())
    print(key.key_id)
    return 0
