"""Upgrades without downtime (#19, point 5): a host still running the older pakn keeps
serving while the newer one has migrated the shared database.

pakn's migrations expand first (add tables, columns with defaults, indexes) and contract
only in a later release, once no host runs code that reads what goes. Here the code of
the commit before this issue's first migration (0020, the jobs' heartbeats) is taken
out of git and served against the schema at this code's head, beside this code's own
server on the same database: its read paths (GraphQL, the exports, the log, the website)
answer, and give what the new code gives."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.settings import Settings
from db.migrate import head_revision, known_revisions
from tests.support.cli import wait_for_health
from tests.support.demo import DEMO_SEED, load_demo
from tests.support.server import RunningServer, free_port
from tests.support.workflow import TEST_KEY

FIRST_MIGRATION = "db/migrations/versions/0020_job_heartbeats.py"
REPOSITORY = Path(__file__).resolve().parents[2]
PETITIONS = 30
OLD_SETTINGS = {
    "PAKN_SECRET_KEY": TEST_KEY,
    "PAKN_READ_RATE": "0",
    # its background jobs would write into the database the new server reads
    "PAKN_CONTACT_RETENTION_DAYS": "0",
    "PAKN_OVERDUE_CLOCK": "0",
    "PAKN_LOG_CHECKPOINTS": "0",
    "PAKN_WEBHOOK_DELIVERY": "0",
}
READS = {
    "list": """{ petitions(first: 20) { totalCount edges { cursor node { trackingCode title
        status intakeChannel agency { code name } latestAnswer { body } rating { score } } } } }""",
    "stats": """{ stats { totals { received answered onTimeRate }
        byAgency { agency { code } stats { received answeredOnTime } } } }""",
    "agencies": "{ agencies(first: 50) { edges { node { code name kind } } } }",
    "checkpoint": "{ logCheckpoint { treeSize rootHash } }",
}
PATHS = ("/export/petitions.csv", "/export/stats.csv", "/log/checkpoint", "/", "/petitions")


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(REPOSITORY), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    return done.stdout.strip()


def _older_commit() -> str:
    """The commit before the one that added the first migration; HEAD while that migration
    is not committed yet (a working tree under change)."""
    added = _git("log", "--diff-filter=A", "--format=%H", "--", FIRST_MIGRATION).splitlines()
    return f"{added[-1]}^" if added else "HEAD"


@pytest.fixture(scope="module")
def older_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        commit = _older_commit()
    except (RuntimeError, FileNotFoundError) as missing:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"the older code comes from git history, which is not here: {missing}")
    folder = tmp_path_factory.mktemp("older")
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", commit, "app", "db", "schema", "resolvers"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    assert not (folder / FIRST_MIGRATION).exists()
    return folder


@pytest.fixture
def upgraded_database(empty_database: str) -> str:
    asyncio.run(load_demo(empty_database, PETITIONS, DEMO_SEED))
    return empty_database


@pytest.fixture
def older_server(older_code: Path, upgraded_database: str) -> Iterator[str]:
    """The older code's application under uvicorn, as its `pakn serve` would run it minus
    the migration it cannot do (the schema is ahead of it)."""
    port = free_port()
    log = older_code / "serve.log"
    environment = {
        **os.environ,
        **OLD_SETTINGS,
        "PAKN_DATABASE_URL": upgraded_database,
        "PYTHONPATH": str(older_code),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=older_code,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process, 60, name="the older pakn", log=log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _read(client: httpx.Client, query: str) -> object:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    payload = response.json()
    assert "errors" not in payload, payload
    return payload["data"]


def test_the_older_code_serves_the_read_paths_of_the_newer_schema(
    older_code: Path, upgraded_database: str, older_server: str
) -> None:
    assert (REPOSITORY / FIRST_MIGRATION).exists()
    assert known_revisions().index(head_revision()) >= known_revisions().index("0020")
    settings = Settings(database_url=upgraded_database, secret_key=TEST_KEY, read_rate=0)
    with RunningServer(settings) as newer, httpx.Client(base_url=older_server, timeout=30) as older:
        for name, query in READS.items():
            assert _read(older, query) == _read(newer.client, query), name
        listed: Any = _read(newer.client, READS["list"])
        code = listed["petitions"]["edges"][0]["node"]["trackingCode"]
        history = "events { edges { node { action at } } }"
        one = f'{{ petition(trackingCode: "{code}") {{ trackingCode {history} }} }}'
        assert _read(older, one) == _read(newer.client, one)
        for path in PATHS:
            answered = older.get(path)
            assert answered.status_code == 200, (path, answered.text[:300])
            assert answered.content == newer.client.get(path).content or path in ("/", "/petitions")
