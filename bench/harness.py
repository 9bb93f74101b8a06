"""`bench/run`: load demo data into a fresh PostgreSQL database, serve pakn and the raw floor
with 1 and then 2 workers, and drive each workload with wrk at 32 connections.

Workloads alternate with the floor (FLOOR, W1, FLOOR, W2, ...) so that drift in the
machine's speed hits both alike; the W1/floor ratio uses the floor runs of the same worker
count. Each workload's timed run follows an untimed warm-up (`--warmup`, 2 s; the floor,
with one statement, is warmed once): the figures are a long-running server's, not its
first requests'. SQL statements per request are counted
on one request per workload through the app's own engine, in-process; timing always goes
through uvicorn and wrk.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from statistics import mean
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.database import (
    asyncpg_dsn,
    connect,
    create_database,
    database_url,
    drop_database,
)
from bench.common.memory import RssSampler
from bench.common.paths import PYTHON, ROOT, pakn_command
from bench.common.processes import cmdline, descendant_pids
from bench.common.quarters import iso_bounds, last_full_quarter
from bench.common.reporting import results_path, timestamp, write_json
from bench.common.servers import (
    ServerProcess,
    free_port,
    graphql_succeeded,
    server_environment,
)
from bench.workloads import Workload, workloads


@dataclass
class Result:
    workload: str
    workers: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    statements: int | None
    peak_rss_mb: float

    @classmethod
    def of_run(
        cls, workload: str, workers: int, run: dict[str, Any], statements: int | None
    ) -> Result:
        """A result from what run_wrk() returned."""
        return cls(
            workload,
            workers,
            run["rps"],
            run["p50"],
            run["p99"],
            run["errors"],
            statements,
            run["peak_rss_mb"],
        )


BENCH_KEY = "bench-key-of-at-least-32-bytes-0123"
"""The secret key of the loader and of the servers alike: sealing keys made under one open
under the other (else `pakn serve` refuses to start, exit 2)."""


def load_data(url: str, petitions: int) -> float:
    env = server_environment(url, PAKN_SECRET_KEY=BENCH_KEY)
    started = time.perf_counter()
    subprocess.run(
        pakn_command("demo", "--petitions", str(petitions)), check=True, env=env, cwd=ROOT
    )
    return time.perf_counter() - started


async def sample_codes(url: str, count: int) -> list[str]:
    async with connect(asyncpg_dsn(url)) as connection:
        rows = await connection.fetch(
            "SELECT tracking_code FROM petitions ORDER BY random() LIMIT $1", count
        )
    return [row["tracking_code"] for row in rows]


def worker_pids(server: ServerProcess) -> list[int]:
    """The processes that serve (uvicorn's or pakn's workers, or the server itself if it
    has none): whose memory the report gives."""
    pids = descendant_pids(server.pid) or [server.pid]
    return [pid for pid in pids if _is_server(cmdline(pid))]


def _is_server(command: str) -> bool:
    return ("multiprocessing" in command and "resource_tracker" not in command) or (
        "uvicorn" in command or "pakn" in command
    )


_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(
    url: str, lua: str, seconds: int, connections: int, served: ServerProcess
) -> dict[str, Any]:
    """One wrk run; its rate, latency and errors, and the peak RSS of the server's workers."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua or 'wrk.method = "GET"\n')
    process = subprocess.Popen(
        # --timeout: wrk's 2 s default counted a slow workload's queued requests as errors
        # and its throughput as what finished in under 2 s; 30 s is pakn's statement timeout
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            script.name,
            url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    with RssSampler(lambda: worker_pids(served), period=0.25) as memory:
        output, _ = process.communicate()
    os.unlink(script.name)
    latency = {m.group(1): float(m.group(2)) * _UNIT[m.group(3)] for m in _LATENCY.finditer(output)}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50": latency.get("50", 0.0),
        "p99": latency.get("99", 0.0),
        "errors": (int(errors.group(1)) if errors else 0)
        + (sum(int(x) for x in socket_errors.groups()) if socket_errors else 0),
        "peak_rss_mb": memory.peak_kib() / 1024,
    }


def check_once(url: str, lua_body: dict[str, Any] | None) -> bool:
    """One request per workload before timing it: GraphQL errors make the figures void."""
    if lua_body is None:
        return True
    return graphql_succeeded(httpx.post(url, json=lua_body, timeout=30))


async def count_statements(url: str, body: dict[str, Any]) -> int:
    from sqlalchemy import event

    from app.main import create_app, starlette_app
    from app.settings import Settings

    guard = create_app(Settings(database_url=url, submissions_per_hour=10**9, secret_key="bench"))
    engine = starlette_app(guard).state.engine
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    transport = httpx.ASGITransport(app=guard)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await client.post("/graphql", json=body)
            if "extensions" in body:  # registered: the workload sends the hash alone, by GET
                params = {"extensions": json.dumps(body["extensions"])}
                await client.get("/graphql", params=params)
                statements.clear()
                await client.get("/graphql", params=params)
            else:
                statements.clear()
                await client.post("/graphql", json=body)
    finally:
        await engine.dispose()  # the app's own engine: made by create_app, not open_engine
    return len(statements)


def sample_body(workload: Workload, codes: list[str], quarter: tuple[str, str]) -> dict[str, Any]:
    from bench import workloads as documents_of

    documents = {
        "W1": {"query": documents_of.W1},
        "W2": {"query": documents_of.W2},
        "W3": {"query": documents_of.W3, "variables": {"code": codes[0]}},
        "W4": {"query": documents_of.W4, "variables": {"from": quarter[0], "to": quarter[1]}},
        # registers W1's persisted query before W1G sends its hash alone
        "W1G": {"query": documents_of.W1, "extensions": documents_of.persisted(documents_of.W1)},
    }
    return documents.get(workload.name, {})


def measure(url: str, workers: int, args: argparse.Namespace, codes: list[str]) -> list[Result]:
    env = server_environment(
        url,
        PAKN_SUBMISSIONS_PER_HOUR=str(10**9),
        PAKN_SECRET_KEY=BENCH_KEY,
    )
    pakn_port, floor_port = free_port(), free_port()
    pakn = ServerProcess(
        "pakn serve",
        pakn_command("serve", "--port", str(pakn_port), "--workers", str(workers)),
        env,
        pakn_port,
    )
    floor = ServerProcess(
        "the floor",
        [
            PYTHON,
            "-m",
            "uvicorn",
            "bench.floor:app",
            "--port",
            str(floor_port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env,
        floor_port,
    )
    results: list[Result] = []
    try:
        pakn.wait_ready("/health")
        floor.wait_ready("/w1")
        # the floor has one statement to learn: warmed once; each workload is new to pakn
        run_wrk(f"http://127.0.0.1:{floor_port}/w1", "", args.warmup, args.connections, floor)
        quarter = iso_bounds(last_full_quarter(date.today()))
        graphql = f"http://127.0.0.1:{pakn_port}/graphql"
        for workload in workloads(codes, quarter):
            if args.workloads and workload.name not in args.workloads:
                continue
            body = sample_body(workload, codes, quarter)
            floor_run = run_wrk(
                f"http://127.0.0.1:{floor_port}/w1", "", args.duration, args.connections, floor
            )
            results.append(Result.of_run("FLOOR", workers, floor_run, statements=1))
            if body and not check_once(graphql, body):
                print(f"  {workload.name}: not served by this version (GraphQL errors); skipped")
                continue
            run_wrk(graphql, workload.lua, args.warmup, args.connections, pakn)
            run = run_wrk(graphql, workload.lua, args.duration, args.connections, pakn)
            statements = asyncio.run(count_statements(url, body)) if body else None
            results.append(Result.of_run(workload.name, workers, run, statements))
            print(
                f"  {workers} worker(s) {workload.name}: {run['rps']:.0f} req/s "
                f"(floor {floor_run['rps']:.0f})",
                flush=True,
            )
    finally:
        pakn.stop()
        floor.stop()
    return results


def _row(name: str, workers: int, runs: list[Result], statements: str) -> str:
    return (
        f"| {name} | {workers} | {mean(r.requests_per_second for r in runs):.0f} "
        f"| {mean(r.p50_ms for r in runs):.1f} | {mean(r.p99_ms for r in runs):.1f} "
        f"| {sum(r.errors for r in runs)} | {statements} "
        f"| {max(r.peak_rss_mb for r in runs):.0f} |"
    )


def report(results: list[Result], workers: list[int]) -> str:
    lines = [
        "| workload | workers | req/s | p50 ms | p99 ms | errors | SQL/request | peak RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for count in workers:
        rows = [r for r in results if r.workers == count]
        floors = [r for r in rows if r.workload == "FLOOR"]
        if floors:
            lines.append(_row(f"FLOOR (mean of {len(floors)})", count, floors, "1"))
        for r in rows:
            if r.workload != "FLOOR":
                statements = str(r.statements) if r.statements is not None else "-"
                lines.append(_row(r.workload, count, [r], statements))
    top = max(workers)
    floor_rps = [
        r.requests_per_second for r in results if r.workers == top and r.workload == "FLOOR"
    ]
    w1 = [r.requests_per_second for r in results if r.workers == top and r.workload == "W1"]
    ratio = (w1[0] / mean(floor_rps)) if w1 and floor_rps and mean(floor_rps) else 0.0
    lines.append("")
    lines.append(f"ratio W1/floor: {ratio:.2f}")
    w1g = [r.requests_per_second for r in results if r.workers == top and r.workload == "W1G"]
    if w1 and w1g and w1[0]:
        lines.append(f"ratio W1G/W1 (persisted-query GET against the POST): {w1g[0] / w1[0]:.2f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 petitions, 3 s runs")
    parser.add_argument("--petitions", type=int)
    parser.add_argument("--duration", type=int)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--warmup",
        type=int,
        help="seconds of untimed load before each timed run (a long-running server's "
        "steady state: every worker has learned the document and planned its statements)",
    )
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--database", help="use this existing database instead of a fresh one")
    parser.add_argument(
        "--workloads", help="only these, comma-separated (e.g. W1,W3), to try one lever"
    )
    args = parser.parse_args()
    args.workloads = args.workloads.split(",") if args.workloads else None
    args.petitions = args.petitions or (100_000 if args.quick else 1_000_000)
    args.duration = args.duration or (3 if args.quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    worker_counts = [int(w) for w in args.workers.split(",")]

    name = args.database or f"pakn_bench_{int(time.time())}"
    url = database_url(name)
    if not args.database:
        create_database(name)
    try:
        if not args.database:
            seconds = load_data(url, args.petitions)
            print(f"loaded {args.petitions:,} petitions in {seconds:.1f} s", flush=True)
        codes = asyncio.run(sample_codes(url, 200))
        results: list[Result] = []
        for count in worker_counts:
            results += measure(url, count, args, codes)
    finally:
        if not args.database:
            drop_database(name)
    write_json(results_path(f"run-{timestamp()}.json"), [asdict(r) for r in results], indent=1)
    print(report(results, worker_counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
