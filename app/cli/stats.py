"""`pakn stats verify|rebuild`: the statistics rollup against the petitions it counts."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from app.cli.command import Commands, add_group
from app.settings import Settings

if TYPE_CHECKING:
    from db.rollup import Difference

SHOWN_DIFFERENCES = 20
"""How many wrong rows are printed; the count covers them all."""


def register(commands: Commands) -> None:
    stats = add_group(commands, "stats", "the statistics rollup", run)
    stats.add_parser("verify", help="compare the rollup with the petitions")
    stats.add_parser("rebuild", help="recompute the rollup from the petitions")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`rebuild` verifies too, after recomputing: the same report, the same exit code."""
    rebuild = args.stats_command == "rebuild"
    wrong = asyncio.run(_differences(settings.database_url, rebuild=rebuild))
    for (table, row), stored, computed in wrong[:SHOWN_DIFFERENCES]:
        print(f"pakn: {table} {row}: stored {stored}, computed {computed}")
    if wrong:
        print(f"pakn: the statistics rollup is off in {len(wrong)} rows; `pakn stats rebuild`")
        return 1
    print("pakn: the statistics rollup matches the petitions")
    return 0


async def _differences(database_url: str, *, rebuild: bool) -> list[Difference]:
    from db import rollup
    from db.engine import open_engine

    async with open_engine(database_url) as engine:
        if rebuild:
            async with engine.begin() as conn:
                await rollup.rebuild(conn)
        async with engine.begin() as conn:
            return await rollup.differences(conn)
