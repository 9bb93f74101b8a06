"""What the e-mail outbox costs a write: the workflow's writes for consenting petitioners
(`notifyByEmail`) with PAKN_SMTP_URL set, against the same writes with it unset.

Two fresh databases per backend (SQLite and PostgreSQL), each served by pakn in this
process (`tests.support.server.RunningServer`: queueing, no sending, so only the write
path is measured; the sender works in its own transactions, off the request). Each
petition takes five writes over GraphQL: submitPetition (consenting), assignPetition,
acknowledgePetition, postProgressUpdate, answerPetition; with SMTP set, three of them
(ASSIGN, PROGRESS_UPDATE, ANSWER) each read the contact's consent and insert an outbox row
in the event's transaction. The two servers take turns, petition by petition, the order
swapped each time, so drift in the machine's speed (and other work on it) hits both alike.
The figures: the median write time with SMTP unset and set, over all five writes and over
the three that queue, and their ratio.

    .venv/bin/python bench/outbox_cost.py                         # 200 petitions a server
    .venv/bin/python bench/outbox_cost.py --petitions 10 --backend sqlite
    .venv/bin/python bench/outbox_cost.py --same     # both without SMTP: the noise floor
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bench.common import petition_writes
from bench.common.petition_writes import ACTIONS
from db.engine import open_engine
from db.models import OutboxMessage
from tests.support.databases import prepared_database
from tests.support.sample import SUBMISSION
from tests.support.server import RunningServer
from tests.support.workflow import Workflow, make_tokens, workflow_settings

SMTP_URL = "smtp://127.0.0.1:9"
"""Never connected to: the servers here queue and do not send."""
WRITES_PER_PETITION = 5


QUEUEING = ("assign", "progress", "answer")
"""The writes that queue an e-mail with SMTP set."""


def one_petition(workflow: Workflow, times: dict[str, list[float]]) -> None:
    """The five writes, by a consenting petitioner."""
    person = {**SUBMISSION["petitioner"], "notifyByEmail": True}
    petition_writes.one_petition(workflow, times, person)


async def queued(url: str) -> int:
    async with open_engine(url) as engine, engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def measure(backend: str, petitions: int, same: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        workflows: dict[str, Workflow] = {}
        urls: dict[str, str] = {}
        for mode in ("off", "on"):
            (Path(folder) / mode).mkdir()
            url = stack.enter_context(prepared_database(backend, Path(folder) / mode))
            tokens = asyncio.run(make_tokens(url))
            options = {"smtp_url": SMTP_URL} if mode == "on" and not same else {}
            server = stack.enter_context(RunningServer(workflow_settings(url, **options)))
            workflows[mode], urls[mode] = Workflow(server, tokens), url
            one_petition(workflows[mode], {a: [] for a in ACTIONS})  # warm the caches
        times = {mode: {action: [] for action in ACTIONS} for mode in ("off", "on")}
        for index in range(petitions):
            for mode in ("off", "on") if index % 2 == 0 else ("on", "off"):
                one_petition(workflows[mode], times[mode])
        counts = {mode: asyncio.run(queued(urls[mode])) for mode in urls}
    expected = 0 if same else 3 * (petitions + 1)
    assert counts == {"off": 0, "on": expected}, counts
    result: dict[str, float] = {"emails_queued": float(counts["on"])}
    for label, actions in (("all", ACTIONS), ("queueing", QUEUEING)):
        off = [t for action in actions for t in times["off"][action]]
        on = [t for action in actions for t in times["on"][action]]
        result[f"{label}_writes"] = float(len(on))
        result[f"{label}_off_ms"] = median(off) * 1000
        result[f"{label}_on_ms"] = median(on) * 1000
        result[f"{label}_ratio"] = median(on) / median(off)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=200, help="per server")
    parser.add_argument(
        "--same",
        action="store_true",
        help="SMTP unset on both servers: the difference two like servers show (noise)",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print("backend\twrites\tcount each\tmedian off ms\tmedian on ms\tratio on/off")
    for backend in backends:
        r = measure(backend, args.petitions, args.same)
        for label in ("all", "queueing"):
            print(
                f"{backend}\t{label}\t{int(r[f'{label}_writes'])}\t{r[f'{label}_off_ms']:.2f}\t"
                f"{r[f'{label}_on_ms']:.2f}\t{r[f'{label}_ratio']:.3f}"
            )


if __name__ == "__main__":
    main()
