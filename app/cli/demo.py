"""`pakn demo`: deterministic demo petitions, and the once-only load behind `serve --demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TYPE_CHECKING

from app.cli.command import Commands
from app.settings import Settings

if TYPE_CHECKING:
    from app.domain.key_wrapping import KeyEncryptionKey

DEFAULT_DEMO_PETITIONS = 2000


def register(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="add deterministic demo petitions")
    demo.add_argument("--petitions", type=int, default=DEFAULT_DEMO_PETITIONS)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from app.cli.keys import prepare_or_refuse

    if not prepare_or_refuse(settings):
        return 2
    asyncio.run(_load(settings, args.petitions, args.seed))
    return 0


async def _load(settings: Settings, petitions: int, seed: int) -> None:
    from app.demo import load_demo
    from db.engine import open_engine

    async with open_engine(settings.database_url) as engine:
        started = time.perf_counter()
        added = await load_demo(
            engine, petitions, seed, key_encryption_key=settings.key_encryption_key
        )
    elapsed = time.perf_counter() - started
    print(f"pakn: added {added} demo petitions in {elapsed:.1f} s", file=sys.stderr)


async def load_demo_once(
    database_url: str, petitions: int, key_encryption_key: KeyEncryptionKey
) -> None:
    """Add demo petitions to a database that has none: `serve --demo` can be restarted
    without piling up a second batch."""
    from app.demo import count_petitions, load_demo
    from db.engine import open_engine

    async with open_engine(database_url) as engine:
        if await count_petitions(engine) == 0:
            added = await load_demo(engine, petitions, key_encryption_key=key_encryption_key)
            print(f"pakn: added {added} demo petitions", file=sys.stderr)
