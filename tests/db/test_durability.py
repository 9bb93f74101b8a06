"""SQLite commits are durable (#14, point 5): in WAL mode with `synchronous=NORMAL` a power
cut could lose the last acknowledged submissions; the connections pakn serves with sync
the log at every commit (`synchronous=FULL`, which SQLite reports as 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from tests.support.databases import prepared_database
from tests.support.server import RunningServer
from tests.support.workflow import Workflow, workflow_settings

FULL = 2
WAL = "wal"


def test_the_connections_that_serve_a_submission_sync_every_commit(tmp_path: Path) -> None:
    seen: list[tuple[int, str]] = []

    def pragmas(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        seen.append((synchronous, cursor.fetchone()[0]))
        cursor.close()

    with prepared_database("sqlite", tmp_path) as url:
        with RunningServer(workflow_settings(url)) as server:
            event.listen(server.engine.sync_engine, "checkout", pragmas)
            submitted = Workflow(server).submit()
            assert submitted["trackingCode"]
    assert seen
    assert set(seen) == {(FULL, WAL)}
