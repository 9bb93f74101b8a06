"""What the transparency log costs a write: the workflow's writes on pakn as it is, against
the same writes on pakn just before the log (the parent of the commit that added
`db/log_leaves.py`, checked out as a git worktree), in the same run.

Each backend gets two fresh databases, one per server, each served by `pakn serve` in a
subprocess (the current one also signs checkpoints every 10 s, as deployed). Each petition
takes five writes over GraphQL: submitPetition, assignPetition, acknowledgePetition,
postProgressUpdate, answerPetition; with the log, each event also writes its leaf (the
entry, its hash, the salts; a subtree hash every 256 events) in its transaction. The two
servers take turns petition by petition, the order swapped each time. The figures: the
median write time of each and their ratio; `--same` serves the current pakn twice (the
noise floor).

    .venv/bin/python bench/log_cost.py                         # 200 petitions a server
    .venv/bin/python bench/log_cost.py --petitions 20 --backend sqlite
    .venv/bin/python bench/log_cost.py --same
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import database
from bench.common.paths import ROOT
from bench.common.petition_writes import ACTIONS, one_petition
from bench.common.servers import ServerProcess, free_port, server_environment
from tests.support.server import HttpServer
from tests.support.workflow import Workflow, make_tokens

SECRET = "bench-secret-key-of-thirty-two-bytes-0123456789"


def baseline_tree() -> Path:
    """A worktree of pakn just before the log (made once, reused)."""
    added = subprocess.run(
        ["git", "log", "--format=%H", "--diff-filter=A", "-1", "--", "db/log_leaves.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parent = f"{added}^"
    commit = subprocess.run(
        ["git", "rev-parse", parent], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"pakn-before-log-{commit[:8]}"
    if not tree.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True
        )
    return tree


def _database(stack: ExitStack, backend: str, folder: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{folder}/{name}.db"
    db_name = f"pakn_logcost_{name}_{os.getpid()}"

    async def create() -> None:
        async with database.connect() as admin:
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
            await admin.execute(f'CREATE DATABASE "{db_name}"')

    async def drop() -> None:
        async with database.connect() as admin:
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')

    asyncio.run(create())
    stack.callback(lambda: asyncio.run(drop()))
    return database.database_url(db_name)


def measure(backend: str, petitions: int, same: bool) -> dict[str, float]:
    trees = {"before": ROOT if same else baseline_tree(), "log": ROOT}
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        workflows: dict[str, Workflow] = {}
        for label, tree in trees.items():
            url = _database(stack, backend, Path(folder), label)
            port = free_port()
            env = server_environment(
                url, PAKN_SECRET_KEY=SECRET, PAKN_SUBMISSIONS_PER_HOUR="10000000"
            )
            command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
            server = ServerProcess(
                f"pakn ({label})", command, env, port, cwd=tree, log=Path(folder) / f"{label}.log"
            )
            stack.callback(server.stop)
            server.wait_ready("/health", timeout=180)
            workflows[label] = Workflow(HttpServer(server.url), asyncio.run(make_tokens(url)))
            one_petition(workflows[label], {a: [] for a in ACTIONS})  # warm the caches
        times: dict[str, dict[str, list[float]]] = {
            label: {a: [] for a in ACTIONS} for label in trees
        }
        for index in range(petitions):
            order = ("before", "log") if index % 2 == 0 else ("log", "before")
            for label in order:
                one_petition(workflows[label], times[label])
    before = [t for action in ACTIONS for t in times["before"][action]]
    with_log = [t for action in ACTIONS for t in times["log"][action]]
    return {
        "writes": float(len(with_log)),
        "before_ms": median(before) * 1000,
        "log_ms": median(with_log) * 1000,
        "ratio": median(with_log) / median(before),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=200, help="per server")
    parser.add_argument("--same", action="store_true", help="the current pakn on both servers")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print("backend\twrites each\tmedian before ms\tmedian with log ms\tratio")
    for backend in backends:
        r = measure(backend, args.petitions, args.same)
        print(
            f"{backend}\t{int(r['writes'])}\t{r['before_ms']:.2f}\t{r['log_ms']:.2f}\t"
            f"{r['ratio']:.3f}"
        )


if __name__ == "__main__":
    main()
