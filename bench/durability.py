"""What durable SQLite commits cost: W5 (submitPetition) with `synchronous=NORMAL` against
`synchronous=FULL`, pakn's default since #14, point 5 (`db.engine.SQLITE_SYNCHRONOUS`).

Two SQLite databases of the same demo petitions on this machine's disk, each served by
`pakn serve` (one worker: SQLite serves one), one with the setting pakn ships (FULL) and one
with NORMAL, the only difference; and the raw floor (`bench/floor.py`, on PostgreSQL) as
the baseline of machine speed. Each round drives FLOOR, W5 on one, FLOOR, W5 on the other
with wrk (the order swapped every round), so drift in the machine's speed hits both alike;
each W5 figure is also given as a ratio to the floor run just before it.

    .venv/bin/python bench/durability.py                 # 3 rounds of 10 s: about 3 minutes
    .venv/bin/python bench/durability.py --rounds 1 --duration 3

NORMAL is no setting of pakn's: this script's `serve` mode sets it in `db.engine` and
serves pakn's application in the same process, after checking that an engine made there
opens connections with it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.database import create_database, drop_database
from bench.common.paths import PYTHON, RESULTS, ROOT, pakn_command
from bench.common.reporting import results_path, timestamp, write_json
from bench.common.servers import ServerProcess, free_port, server_environment
from bench.harness import run_wrk
from bench.workloads import workloads

SETTINGS = ("NORMAL", "FULL")
PRAGMA_VALUES = {"NORMAL": 1, "FULL": 2}
"""What `PRAGMA synchronous` reads for each setting."""
SECRET_KEY = "bench-key-of-at-least-32-bytes-0123"


@dataclass
class Run:
    round: int
    workload: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    floor_before: float


def serve(setting: str, port: int) -> int:
    """pakn's application on `port` with SQLite's synchronous setting `setting`, served in
    this process by uvicorn with pakn's configuration, as one worker of `pakn serve` is
    (`pakn serve` starts its worker in a fresh process, which the setting would not
    reach). Both settings are served this way."""
    import asyncio
    import os

    from sqlalchemy import text

    import db.engine
    from app.settings import Settings
    from app.web.serving import FACTORY, PaknServer, uvicorn_config
    from db.bootstrap import prepare_database

    db.engine.SQLITE_SYNCHRONOUS = setting
    settings = Settings.from_env()

    async def pragma() -> int:
        async with db.engine.open_engine(settings.database_url) as engine:
            async with engine.connect() as connection:
                return int((await connection.execute(text("PRAGMA synchronous"))).scalar_one())

    asyncio.run(prepare_database(settings.database_url))
    found = asyncio.run(pragma())
    if found != PRAGMA_VALUES[setting]:
        print(f"synchronous={setting} did not take: PRAGMA synchronous is {found}")
        return 1
    os.environ["PAKN_WORKERS"] = "1"
    config = uvicorn_config(FACTORY, "127.0.0.1", port, max_body_bytes=settings.max_body_bytes)
    PaknServer(config).run()
    return 0


def _load(url: str, petitions: int) -> None:
    env = server_environment(url, PAKN_SECRET_KEY=SECRET_KEY)
    subprocess.run(
        pakn_command("demo", "--petitions", str(petitions)),
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def _pakn(setting: str, url: str, log: Path) -> ServerProcess:
    port = free_port()
    env = server_environment(url, PAKN_SUBMISSIONS_PER_HOUR=str(10**9), PAKN_SECRET_KEY=SECRET_KEY)
    command = [PYTHON, str(Path(__file__).resolve()), "serve", setting, "--port", str(port)]
    return ServerProcess(f"pakn ({setting})", command, env, port, log=log)


def _floor(url: str) -> ServerProcess:
    port = free_port()
    command = [PYTHON, "-m", "uvicorn", "bench.floor:app", "--port", str(port)]
    command += ["--workers", "1", "--log-level", "warning"]
    return ServerProcess("the floor", command, server_environment(url), port)


def measure(args: argparse.Namespace, folder: Path, floor_url: str) -> list[Run]:
    (w5,) = [w for w in workloads([], ("", "")) if w.name == "W5"]
    servers: dict[str, ServerProcess] = {}
    floor = _floor(floor_url)
    try:
        for setting in SETTINGS:
            url = f"sqlite+aiosqlite:///{folder / f'{setting.lower()}.db'}"
            _load(url, args.petitions)
            servers[setting] = _pakn(setting, url, folder / f"{setting.lower()}.log")
        floor.wait_ready("/w1")
        floor_url_w1 = f"{floor.url}/w1"
        run_wrk(floor_url_w1, "", args.warmup, args.connections, floor)
        for server in servers.values():
            server.wait_ready("/health")
            run_wrk(f"{server.url}/graphql", w5.lua, args.warmup, args.connections, server)
        runs: list[Run] = []
        for number in range(1, args.rounds + 1):
            order = SETTINGS if number % 2 else SETTINGS[::-1]
            for setting in order:
                floor_run = run_wrk(floor_url_w1, "", args.duration, args.connections, floor)
                runs.append(_run(number, "FLOOR", floor_run, floor_run["rps"]))
                server = servers[setting]
                run = run_wrk(
                    f"{server.url}/graphql", w5.lua, args.duration, args.connections, server
                )
                runs.append(_run(number, f"W5 {setting}", run, floor_run["rps"]))
                print(
                    f"  round {number} W5 {setting}: {run['rps']:.0f} req/s "
                    f"(floor {floor_run['rps']:.0f})",
                    flush=True,
                )
        return runs
    finally:
        for server in servers.values():
            server.stop()
        floor.stop()


def _run(number: int, workload: str, run: dict[str, float], floor_rps: float) -> Run:
    return Run(number, workload, run["rps"], run["p50"], run["p99"], int(run["errors"]), floor_rps)


def report(runs: list[Run]) -> str:
    lines = [
        "| workload | req/s (each round) | mean req/s | p50 ms | p99 ms | errors "
        "| ÷ floor beside it |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("FLOOR", *(f"W5 {s}" for s in SETTINGS)):
        rows = [r for r in runs if r.workload == name]
        each = ", ".join(f"{r.requests_per_second:.0f}" for r in rows)
        ratios = [r.requests_per_second / r.floor_before for r in rows if r.floor_before]
        ratio = "-" if name == "FLOOR" else f"{mean(ratios):.3f}"
        lines.append(
            f"| {name} | {each} | {mean(r.requests_per_second for r in rows):.0f} "
            f"| {mean(r.p50_ms for r in rows):.1f} | {mean(r.p99_ms for r in rows):.1f} "
            f"| {sum(r.errors for r in rows)} | {ratio} |"
        )
    normal = [r.requests_per_second / r.floor_before for r in runs if r.workload == "W5 NORMAL"]
    full = [r.requests_per_second / r.floor_before for r in runs if r.workload == "W5 FULL"]
    if normal and full and mean(normal):
        rate = {
            name: mean(r.requests_per_second for r in runs if r.workload == name)
            for name in ("W5 NORMAL", "W5 FULL")
        }
        lines.append("")
        lines.append(f"W5 FULL / W5 NORMAL (req/s): {rate['W5 FULL'] / rate['W5 NORMAL']:.2f}")
        lines.append(f"W5 FULL / W5 NORMAL (each ÷ its floor): {mean(full) / mean(normal):.2f}")
    return "\n".join(lines)


def commit_rates(folder: Path, seconds: float = 3.0) -> dict[str, float]:
    """Bare SQLite on the same disk, WAL mode: single-row commits a second with each
    setting, one connection, nothing else. What a commit's sync costs, without pakn."""
    import sqlite3

    rates = {}
    for setting in SETTINGS:
        connection = sqlite3.connect(folder / f"bare-{setting.lower()}.db", isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={setting}")
        connection.execute("CREATE TABLE t (x TEXT)")
        commits, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            connection.execute("INSERT INTO t VALUES (?)", ("x" * 1000,))
            commits += 1
        connection.close()
        rates[setting] = commits / seconds
    return rates


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serving = argparse.ArgumentParser(prog="durability.py serve")
        serving.add_argument("setting", choices=SETTINGS)
        serving.add_argument("--port", type=int, required=True)
        options = serving.parse_args(sys.argv[2:])
        return serve(options.setting, options.port)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each timed run")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--petitions", type=int, default=2000, help="demo petitions in each SQLite database"
    )
    parser.add_argument(
        "--floor-petitions", type=int, default=10_000, help="demo petitions for the floor"
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="durability-", dir=RESULTS))
    floor_name = f"pakn_durability_{int(time.time())}"
    floor_url = create_database(floor_name)
    try:
        _load(floor_url, args.floor_petitions)
        runs = measure(args, folder, floor_url)
        bare = commit_rates(folder)
    finally:
        drop_database(floor_name)
        shutil.rmtree(folder, ignore_errors=True)
    figures = {"runs": [asdict(r) for r in runs], "bare_commits_per_second": bare}
    write_json(results_path(f"durability-{timestamp()}.json"), figures, indent=1)
    print(report(runs))
    print(
        "bare SQLite, WAL, one-row commits a second: "
        + ", ".join(f"{setting} {rate:.0f}" for setting, rate in bare.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
