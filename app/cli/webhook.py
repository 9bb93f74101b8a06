"""`pakn webhook add|list|remove`: the endpoints that receive petition events, signed per
the Standard Webhooks specification (`app.services.webhooks`).

A refusal is one line on stderr, `pakn: CODE: why`, with exit code 2 (the command cannot
do what it was asked: a URL, agency or action pakn does not take) or 1 (`remove` of an
endpoint that does not exist).
"""

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

MAX_ID = 2**31 - 1
"""Ids are 32-bit: a larger one names no endpoint (and would overflow PostgreSQL's integer)."""


def register(commands: Commands) -> None:
    webhook = add_group(commands, "webhook", "endpoints that receive petition events", run)
    add = webhook.add_parser(
        "add", help="register an endpoint; prints its id and its signing secret (shown once)"
    )
    add.add_argument("url", help="http:// or https://; redirects are not followed")
    add.add_argument(
        "--agency", help="an agency's code: the endpoint also gets its internal events"
    )
    add.add_argument(
        "--actions", help="comma-separated actions (e.g. ANSWER,OVERDUE); default: every action"
    )
    webhook.add_parser("list", help="the endpoints and their state (never their secrets)")
    remove = webhook.add_parser("remove", help="remove an endpoint; its queued deliveries stop")
    remove.add_argument("id", type=int)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Migrates first: the endpoints' table may be newer than the database."""
    from db.migrate import upgrade

    upgrade(settings.database_url)
    work = {"add": _add, "list": _list, "remove": _remove}[args.webhook_command]
    return run_in_session(settings.database_url, partial(work, args, settings))


async def _add(args: argparse.Namespace, settings: Settings, session: AsyncSession) -> int:
    """Prints `<id>\\t<secret>` on stdout, alone, so that a script can capture them."""
    from app.domain.timezone import now
    from app.domain.webhooks import WebhookRefusal
    from app.services import webhook_endpoints

    try:
        added = await webhook_endpoints.add_endpoint(
            session,
            url=args.url,
            agency_code=args.agency,
            actions=args.actions,
            now=now(),
            kek=settings.key_encryption_key,
            allow_private=settings.webhook_allow_private,
        )
    except WebhookRefusal as refused:
        print(f"pakn: {refused.code}: {refused.message}", file=sys.stderr)
        return 2
    print(f"{added.endpoint.id}\t{added.secret}")
    print(
        f"pakn: webhook endpoint {added.endpoint.id} added; its secret is shown only this once",
        file=sys.stderr,
    )
    return 0


async def _list(_args: argparse.Namespace, _settings: Settings, session: AsyncSession) -> int:
    from app.services import webhook_endpoints

    for line in webhook_endpoints.describe(await webhook_endpoints.list_endpoints(session)):
        print(line)
    return 0


async def _remove(args: argparse.Namespace, _settings: Settings, session: AsyncSession) -> int:
    from app.domain.timezone import now
    from app.services import webhook_endpoints

    if 0 < args.id <= MAX_ID and await webhook_endpoints.remove_endpoint(session, args.id, now()):
        print(f"pakn: webhook endpoint {args.id} removed", file=sys.stderr)
        return 0
    print(
        f"pakn: {webhook_endpoints.UNKNOWN_WEBHOOK}: no webhook endpoint {args.id}", file=sys.stderr
    )
    return 1
