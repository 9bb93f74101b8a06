"""What the transparency log's proofs cost at millions of leaves: inclusion proofs of
random leaves and consistency proofs between random sizes, read from the stored tiles
(`db.queries.log`), against the raw floor of one leaf read by its primary key, in the same
run and on the same connection pool.

For each proof: its time, the statements it ran (counted on the engine) and that it
verifies against the root (`app.domain.merkle`), so a fast wrong proof cannot pass.

    .venv/bin/python bench/log_proofs.py --database-url postgresql+asyncpg://postgres@127.0.0.1/pakn_similar_1m
    .venv/bin/python bench/log_proofs.py --database-url sqlite+aiosqlite:////tmp/pakn_similar_1m.db
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select

from app.domain import merkle
from bench.common.percentiles import percentile
from db.engine import create_engine, session_factory
from db.models import LogEntry
from db.queries import log


async def run(url: str, samples: int, seed: int) -> None:
    engine = create_engine(url)
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    chance = random.Random(seed)
    times: dict[str, list[float]] = {"RAW": [], "INCLUSION": [], "CONSISTENCY": []}
    reads: dict[str, list[int]] = {"RAW": [], "INCLUSION": [], "CONSISTENCY": []}
    try:
        async with session_factory(engine)() as session:
            size = await log.tree_size(session)
            root = await log.root(session, size)
            print(f"{size:,} leaves, root computed from the tiles")
            for round_ in range(samples + 10):
                index = chance.randrange(size)
                old = chance.randrange(1, size)
                for kind in chance.sample(list(times), 3):
                    before, started = statements[0], time.perf_counter()
                    if kind == "RAW":
                        await session.scalar(
                            select(LogEntry.leaf_hash).where(LogEntry.event_id == index + 1)
                        )
                    elif kind == "INCLUSION":
                        proof = await log.inclusion_proof(session, index, size)
                    else:
                        consistency = await log.consistency_proof(session, old, size)
                    elapsed = time.perf_counter() - started
                    if round_ >= 10:
                        times[kind].append(elapsed)
                        reads[kind].append(statements[0] - before)
                leaf = await session.scalar(
                    select(LogEntry.leaf_hash).where(LogEntry.event_id == index + 1)
                )
                merkle.verify_inclusion(index, size, bytes(leaf), proof, root)
                old_root = await log.root(session, old)
                merkle.verify_consistency(old, size, old_root, root, consistency)
                await session.rollback()
    finally:
        await engine.dispose()
    print(f"{samples} samples each, every proof verified")
    print("kind\tp50 ms\tp95 ms\tmax ms\tstatements (median, max)\tp95 / RAW p95")
    raw95 = percentile(sorted(times["RAW"]), 95)
    for kind in times:
        p95 = percentile(sorted(times[kind]), 95)
        print(
            f"{kind}\t{median(times[kind]) * 1000:.2f}\t{p95 * 1000:.2f}\t"
            f"{max(times[kind]) * 1000:.2f}\t{median(reads[kind]):.0f}, {max(reads[kind])}\t"
            f"{p95 / raw95:.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.samples, args.seed))


if __name__ == "__main__":
    main()
