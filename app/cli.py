"""`pakn`: the command line, the other composition root."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

from app.settings import Settings

DEFAULT_DEMO_PETITIONS = 2000


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from db.bootstrap import prepare_database

    asyncio.run(prepare_database(settings.database_url))
    if args.demo:
        asyncio.run(_demo_once(settings.database_url, DEFAULT_DEMO_PETITIONS))
    print(f"pakn: GraphiQL at http://{args.host}:{args.port}/graphql", file=sys.stderr)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
    )
    return 0


async def _demo_once(database_url: str, petitions: int) -> None:
    from app.demo import count_petitions, load_demo
    from db.engine import create_engine

    engine = create_engine(database_url)
    try:
        if await count_petitions(engine) == 0:
            added = await load_demo(engine, petitions)
            print(f"pakn: added {added} demo petitions", file=sys.stderr)
    finally:
        await engine.dispose()


async def _demo(database_url: str, petitions: int, seed: int) -> None:
    from app.demo import load_demo
    from db.bootstrap import prepare_database
    from db.engine import create_engine

    await prepare_database(database_url)
    engine = create_engine(database_url)
    started = time.perf_counter()
    try:
        added = await load_demo(engine, petitions, seed)
    finally:
        await engine.dispose()
    elapsed = time.perf_counter() - started
    print(f"pakn: added {added} demo petitions in {elapsed:.1f} s", file=sys.stderr)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from db.bootstrap import seed
    from db.migrate import upgrade

    if args.db_command == "upgrade":
        upgrade(settings.database_url)
    else:
        upgrade(settings.database_url)
        asyncio.run(seed(settings.database_url))
    return 0


def _schema_export(_args: argparse.Namespace, _settings: Settings) -> int:
    from schema.build import sdl

    sys.stdout.write(sdl())
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pakn", description="The pakn petition record.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, load reference data and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--demo", action="store_true", help=f"add {DEFAULT_DEMO_PETITIONS} demo petitions once"
    )
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database schema and reference data")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations")
    db_commands.add_parser("seed", help="load reference agencies and fields (idempotent)")
    db.set_defaults(handler=_db)

    demo = commands.add_parser("demo", help="add deterministic demo petitions")
    demo.add_argument("--petitions", type=int, default=DEFAULT_DEMO_PETITIONS)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(
        handler=lambda a, s: asyncio.run(_demo(s.database_url, a.petitions, a.seed)) or 0
    )

    schema = commands.add_parser("schema", help="the GraphQL schema")
    schema_commands = schema.add_subparsers(dest="schema_command", required=True)
    schema_commands.add_parser("export", help="print the SDL")
    schema.set_defaults(handler=_schema_export)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.handler(args, Settings.from_env()))


if __name__ == "__main__":
    sys.exit(main())
