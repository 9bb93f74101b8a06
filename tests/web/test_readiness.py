"""`/ready` and `pakn db upgrade --check` (#19, point 4 and 5). A host is ready when its
database answers at a migration this code knows, pending ones included, so an
expand/contract upgrade keeps it ready. A schema from a newer pakn, or a database that does
not answer, takes it out (503). A background job whose heartbeat went stale on every host
degrades it (200, "degraded"): an alert, not an outage. Real servers, both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from app.domain.timezone import now
from app.services.jobs import CONTACT_PURGE
from app.settings import Settings
from db.engine import open_engine
from db.migrate import downgrade, head_revision
from db.models import JobHeartbeat
from tests.support.cli import pakn
from tests.support.server import RunningServer
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
        "pending": False,
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
        status, body = _ready(server)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["jobs"][CONTACT_PURGE] == "stale"
    assert "failing" not in body


def test_a_pending_migration_keeps_a_host_ready_and_check_says_so(empty_database: str) -> None:
    previous = "0019"
    downgrade(empty_database, previous)
    with RunningServer(workflow_settings(empty_database)) as server:
        status, body = _ready(server)
        assert status == 200, body
        assert body["checks"]["schema"] == {
            "revision": previous,
            "head": head_revision(),
            "pending": True,
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


def test_a_schema_from_a_newer_pakn_is_not_ready(empty_database: str) -> None:
    asyncio.run(_run(empty_database, text("UPDATE alembic_version SET version_num = '0999'")))
    with RunningServer(workflow_settings(empty_database)) as server:
        status, body = _ready(server)
    assert status == 503
    assert body["status"] == "unready"
    assert body["failing"] == ["schema"]
    assert body["checks"]["schema"]["revision"] == "0999"
    checked = pakn("db", "upgrade", "--check", database_url=empty_database)
    assert checked.returncode == 2
    assert "0999, which this code does not know" in checked.stderr


def test_check_on_a_database_that_does_not_answer_is_a_clear_refusal(tmp_path: Any) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:9/none"
    checked = pakn("db", "upgrade", "--check", database_url=url)
    assert checked.returncode == 2
    assert "the database does not answer" in checked.stderr
    assert "Traceback" not in checked.stderr


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
