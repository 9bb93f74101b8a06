"""`pakn serve`: migrate, load the reference data, and serve."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.cli.command import Commands
from app.cli.demo import DEFAULT_DEMO_PETITIONS, load_demo_once
from app.settings import Settings


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="migrate, load reference data and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes (default PAKN_WORKERS, 1); each enforces its share of "
        "PAKN_READ_RATE",
    )
    serve.add_argument(
        "--demo", action="store_true", help=f"add {DEFAULT_DEMO_PETITIONS} demo petitions once"
    )
    serve.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.cli.keys import prepare_or_refuse
    from app.web.serving import serve
    from db.engine import is_sqlite

    workers = settings.workers if args.workers is None else args.workers
    if workers < 1:
        print("pakn: --workers must be at least 1", file=sys.stderr)
        return 2
    if workers > 1 and is_sqlite(settings.database_url):
        print("pakn: SQLite serves one worker; use PostgreSQL for --workers > 1", file=sys.stderr)
        return 2
    if not prepare_or_refuse(settings):
        return 2
    if args.demo:
        asyncio.run(
            load_demo_once(
                settings.database_url, DEFAULT_DEMO_PETITIONS, settings.key_encryption_key
            )
        )
    if settings.secret_key_file is not None:
        print(f"pakn: the secret key is kept in {settings.secret_key_file}", file=sys.stderr)
    print(f"pakn: GraphiQL at http://{args.host}:{args.port}/graphql", file=sys.stderr)
    return serve(args.host, args.port, workers, settings.max_body_bytes)
