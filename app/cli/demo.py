"""`pakn demo`: deterministic demo petitions, and the once-only load behind `serve --demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from app.cli.command import Commands
from app.settings import Settings

DEFAULT_DEMO_PETITIONS = 2000


def register(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="add deterministic demo petitions")
    demo.add_argument("--petitions", type=int, default=DEFAULT_DEMO_PETITIONS)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_load(settings.database_url, args.petitions, args.seed))
    return 0


async def _load(database_url: str, petitions: int, seed: int) -> None:
    from app.demo import load_demo
    from db.bootstrap import prepare_database
    from db.engine import open_engine

    await prepare_database(database_url)
    async with open_engine(database_url) as engine:
        started = time.perf_counter()
        added = await load_demo(engine, petitions, seed)
    elapsed = time.perf_counter() - started
    print(f"pakn: added {added} demo petitions in {elapsed:.1f} s", file=sys.stderr)


async def load_demo_once(database_url: str, petitions: int) -> None:
    """Add demo petitions to a database that has none: `serve --demo` can be restarted
    without piling up a second batch."""
    from app.demo import count_petitions, load_demo
    from db.engine import open_engine

    async with open_engine(database_url) as engine:
        if await count_petitions(engine) == 0:
            added = await load_demo(engine, petitions)
            print(f"pakn: added {added} demo petitions", file=sys.stderr)
