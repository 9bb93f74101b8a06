"""`/ready` and `pakn db upgrade --check` (#19, point 4 and 5). A host is ready when its
database answers at a migration this code knows, pending ones included, so an
expand/contract upgrade keeps it ready. A schema from a newer pakn, or a database that does
not answer, takes it out (503). A background job whose heartbeat went stale on every host
degrades it (200, "degraded"): an alert, not an outage. Real servers, both databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from app.domain.timezone import now
from app.services.jobs import CONTACT_PURGE
from app.settings import Settings
from db.engine import open_engine
from db.migrate import downgrade, head_revision, known_revisions
from db.models import JobHeartbeat, SchemaReader
from tests.support.cli import pakn, pakn_serve_process
from tests.support.server import RunningServer, free_port
from tests.support.tcp_relay import TcpRelay
from tests.support.waiting import wait_until
from tests.support.workflow import TEST_KEY, workflow_settings


def _ready(server: RunningServer) -> tuple[int, dict[str, Any]]:
    response = server.client.get("/ready")
    assert response.headers["cache-control"] == "no-store"
    return response.status_code, response.json()


async def _run(url: str, statement: Any) -> None:
    async with open_engine(url) as engine, engine.begin() as connection:
        await connection.execute(statement)


def test_a_host_at_the_newest_migration_with_its_jobs_beating_is_ready(
    empty_database: str,
) -> None:
    with RunningServer(workflow_settings(empty_database), background=True) as server:
        wait_until(
            lambda: set(_ready(server)[1]["checks"].get("jobs", {}).values()) == {"ok"},
            "every job's first heartbeat",
        )
        status, body = _ready(server)
        assert server.client.get("/health").status_code == 200
    assert status == 200
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["database"] == "ok"
    assert checks["schema"] == {
        "revision": head_revision(),
        "head": head_revision(),
        "standing": "at-head",
    }
    assert checks["scheduler"] == "ok"
    assert CONTACT_PURGE in checks["jobs"]
    if "postgresql" in empty_database:
        assert checks["listener"] == "ok"


def test_a_job_stale_on_every_host_degrades_but_keeps_serving(empty_database: str) -> None:
    """The purge runs at start, then hourly: its heartbeat set a day back is stale."""
    with RunningServer(workflow_settings(empty_database), background=True) as server:
        wait_until(
            lambda: _ready(server)[1]["checks"].get("jobs", {}).get(CONTACT_PURGE) == "ok",
            "the purge's first heartbeat",
        )
        day_ago = now() - timedelta(days=1)
        asyncio.run(
            _run(
                empty_database,
                update(JobHeartbeat)
                .where(JobHeartbeat.job == CONTACT_PURGE)
                .values(beat_at=day_ago),
            )
        )
        # an answer is reused for up to a second
        wait_until(lambda: _ready(server)[1]["status"] != "ready", "the next check")
        status, body = _ready(server)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["jobs"][CONTACT_PURGE] == "stale"
    assert "failing" not in body


def test_a_pending_migration_keeps_a_host_ready_and_check_says_so(empty_database: str) -> None:
    previous = known_revisions()[-2]
    downgrade(empty_database, previous)
    with RunningServer(workflow_settings(empty_database)) as server:
        status, body = _ready(server)
        assert status == 200, body
        assert body["checks"]["schema"] == {
            "revision": previous,
            "head": head_revision(),
            "standing": "pending",
        }
        assert server.gql("{ petitions(first: 1) { totalCount } }")["petitions"]["totalCount"] == 0
    checked = pakn("db", "upgrade", "--check", database_url=empty_database)
    assert checked.returncode == 1, checked.stderr
    assert f"pending: {head_revision()}" in checked.stdout
    assert "pakn db upgrade" in checked.stdout
    assert pakn("db", "upgrade", database_url=empty_database).returncode == 0
    checked = pakn("db", "upgrade", "--check", database_url=empty_database)
    assert checked.returncode == 0, checked.stderr
    assert "nothing is pending" in checked.stdout


def _newer_release(url: str, oldest_reader: str) -> None:
    """Play a newer pakn's migration: a revision this code does not know, naming the
    oldest code that serves it."""

    async def write() -> None:
        async with open_engine(url) as engine, engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
            await connection.execute(update(SchemaReader).values(oldest_reader=oldest_reader))

    asyncio.run(write())


def test_a_newer_pakn_that_only_added_keeps_this_code_serving_and_ready(
    empty_database: str,
) -> None:
    """An expand: the newer release declares this code's head among its readers. A host
    of this code restarting against it serves without migrating, and is ready."""
    _newer_release(empty_database, head_revision())
    with pakn_serve_process(empty_database) as (url, _process):
        answered = httpx.get(f"{url}/ready", timeout=10)
        read = httpx.post(
            f"{url}/graphql", json={"query": "{ petitions(first: 1) { totalCount } }"}, timeout=10
        )
    assert answered.status_code == 200, answered.text
    assert answered.json()["checks"]["schema"]["standing"] == "ahead"
    assert read.json()["data"]["petitions"]["totalCount"] == 0
    checked = pakn("db", "upgrade", "--check", database_url=empty_database)
    assert checked.returncode == 0, checked.stderr
    assert "of a newer pakn, which this code serves" in checked.stdout
    assert pakn("db", "upgrade", database_url=empty_database).returncode == 0


def test_a_newer_pakn_that_contracted_past_this_code_is_not_ready(empty_database: str) -> None:
    _newer_release(empty_database, "0999")
    with RunningServer(workflow_settings(empty_database)) as server:
        status, body = _ready(server)
    assert status == 503
    assert body["status"] == "unready"
    assert body["failing"] == ["schema"]
    assert body["checks"]["schema"]["standing"] == "unservable"
    checked = pakn("db", "upgrade", "--check", database_url=empty_database)
    assert checked.returncode == 2
    assert "0999, which this code does not know" in checked.stderr
    served = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(free_port())],
        env={**os.environ, "PAKN_DATABASE_URL": empty_database, "PAKN_SECRET_KEY": TEST_KEY},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode == 2, served.stderr
    assert "newer pakn" in served.stderr
    assert "Traceback" not in served.stderr


def test_check_on_a_database_that_does_not_answer_is_a_clear_refusal(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:9/none"
    checked = pakn("db", "upgrade", "--check", database_url=url)
    assert checked.returncode == 3
    assert "the database does not answer" in checked.stderr
    assert "Traceback" not in checked.stderr
    missing = tmp_path / "missing.db"
    checked = pakn("db", "upgrade", "--check", database_url=f"sqlite+aiosqlite:///{missing}")
    assert checked.returncode == 3
    assert "there is no database at" in checked.stderr
    assert not missing.exists()


@pytest.fixture
def relayed(backend: str, empty_database: str) -> Iterator[tuple[RunningServer, TcpRelay]]:
    if backend != "postgresql":
        pytest.skip("SQLite has no port to close: its file is always there")
    url = make_url(empty_database)
    with TcpRelay(url.host or "127.0.0.1", url.port or 5432) as relay:
        relayed_url = url.set(host="127.0.0.1", port=relay.port).render_as_string(
            hide_password=False
        )
        settings = Settings(database_url=relayed_url, secret_key=TEST_KEY)
        with RunningServer(settings) as server:
            yield server, relay


def test_a_database_out_of_reach_takes_the_host_out(
    relayed: tuple[RunningServer, TcpRelay],
) -> None:
    server, relay = relayed
    wait_until(lambda: _ready(server)[0] == 200, "ready")
    relay.cut()
    wait_until(lambda: _ready(server)[0] == 503, "unready")
    _status, body = _ready(server)
    assert body["status"] == "unready"
    assert "database" in body["failing"]
    assert body["checks"]["database"] == "unreachable"
