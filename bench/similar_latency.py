"""Latency of similar petitions over the real HTTP API, against baselines of the same run.

Serves the database with `pakn serve` (one worker, a subprocess) and sends, one request at
a time, for each of `--samples` public petitions drawn at random (`--seed`):

- SIMILAR_TEXT: `similarPetitions` with a citizen's rewording of the petition's title and
  body (no diacritics, the title's words in another order, some body words swapped), the
  five most similar with their latest answers;
- SIMILAR_TITLE: `similarPetitions` with that title alone (the form before the body);
- PETITION_SIMILAR: `petition(trackingCode) { similar }` (the coordinator's view);
- BASELINE: `petition(trackingCode)` with the same petition's columns: one primary-key read
  through the same server, what any request of this API costs at the least;
- RAW (PostgreSQL): the raw floor's W1 statement (`bench/floor.py`) on asyncpg directly:
  the database's speed at the moment.

The kinds take turns for every sample, so that drift in the machine's speed hits all alike,
after `--warmup` untimed rounds. Prints p50, p95, p99 and the maximum in milliseconds, each
p95 over the baselines' p95, and how often the rewording found the petition first.

    .venv/bin/python bench/similar_latency.py --database-url postgresql+asyncpg://postgres@127.0.0.1/pakn_demo_1m
    .venv/bin/python bench/similar_latency.py --database-url sqlite+aiosqlite:////tmp/pakn-1m.db

The database must hold demo petitions already (`pakn demo --petitions 1000000`), and on
PostgreSQL have been analysed (autovacuum does it; `pakn demo` runs ANALYZE).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.database import asyncpg_dsn
from bench.common.paths import pakn_command
from bench.common.percentiles import percentile
from bench.common.servers import ServerProcess, free_port, graphql_succeeded, server_environment
from bench.floor import W1_SQL

SIMILAR = """query($title: String!, $body: String) {
  similarPetitions(title: $title, body: $body) {
    trackingCode title answeredAt latestAnswer { body answeredAt agency { code } } } }"""
PETITION_SIMILAR = """query($code: String!) { petition(trackingCode: $code) {
  trackingCode similar { trackingCode title answeredAt latestAnswer { body } } } }"""
BASELINE = """query($code: String!) { petition(trackingCode: $code) {
  trackingCode title status answeredAt } }"""

KINDS = ("BASELINE", "RAW", "SIMILAR_TEXT", "SIMILAR_TITLE", "PETITION_SIMILAR")


async def _samples(url: str, count: int, seed: int) -> list[tuple[str, str, str]]:
    """(tracking code, title, body) of `count` public petitions drawn at random."""
    from sqlalchemy import func, select

    from db.engine import open_engine
    from db.models import Petition

    draw = random.Random(seed)
    found: list[tuple[str, str, str]] = []
    async with open_engine(url) as engine, engine.connect() as connection:
        top = int(await connection.scalar(select(func.max(Petition.id))) or 0)
        while len(found) < count and top:
            ids = [draw.randint(1, top) for _ in range(count * 2)]
            rows = await connection.execute(
                select(Petition.tracking_code, Petition.title, Petition.body).where(
                    Petition.id.in_(ids), Petition.is_private.is_(False)
                )
            )
            found.extend((code, title, body) for code, title, body in rows)
    draw.shuffle(found)
    return found[:count]


def rephrase(title: str, body: str) -> tuple[str, str]:
    """What tests/api/test_similar.py calls a citizen's own wording of the petition."""
    from app.domain.text import fold

    words = fold(title).split()
    half = len(words) // 2
    sentences = [fold(s) for s in body.replace("\n", " ").split(".") if fold(s)]
    body_words = " ".join(reversed(sentences)).split()
    swaps = ["viec", "nay", "ay", "nhu", "vay"]
    new_body = " ".join(
        swaps[i // 9 % len(swaps)] if i % 9 == 4 else w for i, w in enumerate(body_words)
    )
    return " ".join(words[half:] + words[:half])[:200], new_body[:10_000]


class Raw:
    """The floor's W1 statement on one asyncpg connection, run from this thread."""

    def __init__(self, url: str) -> None:
        import asyncpg

        self.loop = asyncio.new_event_loop()
        self.connection = self.loop.run_until_complete(asyncpg.connect(asyncpg_dsn(url)))

    def run(self) -> None:
        self.loop.run_until_complete(self.connection.fetch(W1_SQL))

    def close(self) -> None:
        self.loop.run_until_complete(self.connection.close())
        self.loop.close()


def _post(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    if not graphql_succeeded(response):
        raise RuntimeError(f"query failed: {response.text[:500]}")
    return response.json()["data"]  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)

    samples = asyncio.run(_samples(args.database_url, args.samples + args.warmup, args.seed))
    postgres = args.database_url.startswith("postgresql")
    raw = Raw(args.database_url) if postgres else None
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"pakn-similar-bench-{port}.log"
    # the secret key (PAKN_SECRET_KEY, or the key file) must be the one `pakn demo` ran with
    env = server_environment(args.database_url, PAKN_MAX_QUERY_COST="0")
    server = ServerProcess(
        "pakn serve",
        pakn_command("serve", "--port", str(port), "--workers", "1"),
        env,
        port,
        log=log,
    )
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    hits = 0
    try:
        server.wait_ready("/health", timeout=120)
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for index, (code, title, body) in enumerate(samples):
                new_title, new_body = rephrase(title, body)
                requests: dict[str, tuple[str, dict[str, Any]] | None] = {
                    "BASELINE": (BASELINE, {"code": code}),
                    "SIMILAR_TEXT": (SIMILAR, {"title": new_title, "body": new_body}),
                    "SIMILAR_TITLE": (SIMILAR, {"title": new_title}),
                    "PETITION_SIMILAR": (PETITION_SIMILAR, {"code": code}),
                }
                if raw is not None:
                    requests["RAW"] = None
                timed = index >= args.warmup
                for kind, request in requests.items():
                    started = time.perf_counter()
                    result = raw.run() if request is None else _post(client, *request)  # type: ignore[union-attr]
                    elapsed = (time.perf_counter() - started) * 1000
                    if timed:
                        times[kind].append(elapsed)
                    if timed and kind == "SIMILAR_TEXT":
                        found = result["similarPetitions"]
                        hits += bool(found) and found[0]["trackingCode"] == code
    finally:
        server.stop()
        if raw is not None:
            raw.close()

    timed_samples = len(samples) - args.warmup
    print(f"{timed_samples} samples, {args.warmup} warm-up rounds, {args.database_url}")
    print(f"{'kind':<18} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    p95: dict[str, float] = {}
    for kind in KINDS:
        ordered = sorted(times[kind])
        if not ordered:
            continue
        p95[kind] = percentile(ordered, 95)
        print(
            f"{kind:<18} {percentile(ordered, 50):>8.1f} {p95[kind]:>8.1f} "
            f"{percentile(ordered, 99):>8.1f} {ordered[-1]:>8.1f}"
        )
    for kind in ("SIMILAR_TEXT", "SIMILAR_TITLE", "PETITION_SIMILAR"):
        ratios = [
            f"p95 {kind}/{base}: {p95[kind] / p95[base]:.1f}"
            for base in ("BASELINE", "RAW")
            if base in p95
        ]
        print(", ".join(ratios))
    print(f"rewording found the petition first: {hits} of {timed_samples}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
