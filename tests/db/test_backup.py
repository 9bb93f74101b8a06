"""Backups taken while pakn serves and writes restore whole (#14, point 5): `pakn backup
FILE` on SQLite, the README's pg_dump / createdb / pg_restore commands on PostgreSQL. The
restored database opens, holds every submission acknowledged before the backup began, and
passes `pakn audit verify` and `pakn stats verify`."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import stat
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from db.listener import asyncpg_dsn
from tests.support.cli import pakn
from tests.support.databases import fresh_database, prepared_database
from tests.support.demo import load_demo
from tests.support.server import RunningServer
from tests.support.workflow import TEST_KEY, Workflow, workflow_settings

DEMO_PETITIONS = 60
CLI_ENVIRONMENT = {**os.environ, "PAKN_SECRET_KEY": TEST_KEY}


class Writer:
    """Submits petitions one after another in a thread until stopped; `acknowledged` holds
    the tracking codes of those the server answered."""

    def __init__(self, server: RunningServer) -> None:
        self.workflow = Workflow(server)
        self.acknowledged: list[str] = []
        self.more = threading.Condition()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            code = self.workflow.submit()["trackingCode"]
            with self.more:
                self.acknowledged.append(code)
                self.more.notify_all()

    def wait_for(self, count: int, seconds: float = 30) -> list[str]:
        """Once at least `count` submissions are acknowledged: those acknowledged so far."""
        with self.more:
            assert self.more.wait_for(lambda: len(self.acknowledged) >= count, seconds)
            return list(self.acknowledged)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


@contextmanager
def writing(url: str) -> Iterator[Writer]:
    """A server on `url` and a writer submitting to it, for the length of the block."""
    with RunningServer(workflow_settings(url)) as server:
        writer = Writer(server)
        writer.thread.start()
        try:
            yield writer
        finally:
            writer.stop()


@pytest.fixture
def demo_history(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of the backend with demo petitions and their full histories."""
    with prepared_database(backend, tmp_path) as url:
        asyncio.run(load_demo(url, DEMO_PETITIONS, seed=3, prepare=False))
        yield url


def _verified(url: str) -> None:
    for command in (("audit", "verify"), ("stats", "verify")):
        done = pakn(*command, database_url=url, environment=CLI_ENVIRONMENT)
        assert done.returncode == 0, done.stdout + done.stderr


async def _postgres_tracking_codes(url: str) -> set[str]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return {row[0] for row in await connection.fetch("SELECT tracking_code FROM petitions")}
    finally:
        await connection.close()


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"


@contextmanager
def restored_postgres(url: str, dump: Path) -> Iterator[str]:
    """The README's commands: `pg_dump -Fc` of `url`, `createdb`, `pg_restore` into the new
    database; its URL; dropped afterwards."""
    base = make_url(url)
    server = [f"--host={base.host}", f"--port={base.port or 5432}", f"--username={base.username}"]
    name = f"{base.database}_restored_{uuid.uuid4().hex[:6]}"
    _run("pg_dump", "--format=custom", f"--file={dump}", asyncpg_dsn(url))
    _run("createdb", *server, name)
    try:
        _run("pg_restore", *server, "--no-owner", "--exit-on-error", f"--dbname={name}", str(dump))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _run("dropdb", *server, "--if-exists", "--force", name)


@contextmanager
def backed_up(backend: str, url: str, folder: Path) -> Iterator[str]:
    """A backup of `url` restored, as the README tells (`pakn backup FILE`; pg_dump,
    createdb, pg_restore); its URL."""
    if backend == "postgresql":
        with restored_postgres(url, folder / "pakn.dump") as restored:
            yield restored
        return
    backup = folder / "pakn-copy.db"
    done = pakn("backup", str(backup), database_url=url, environment=CLI_ENVIRONMENT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _mode(backup) == 0o600
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        copy.close()
    yield f"sqlite+aiosqlite:///{backup}"


def _tracking_codes(url: str) -> set[str]:
    if make_url(url).get_backend_name() == "sqlite":
        copy = sqlite3.connect(make_url(url).database or "")
        try:
            return {row[0] for row in copy.execute("SELECT tracking_code FROM petitions")}
        finally:
            copy.close()
    return asyncio.run(_postgres_tracking_codes(url))


def test_a_backup_taken_while_the_server_writes_restores_whole(
    backend: str, demo_history: str, tmp_path: Path
) -> None:
    with writing(demo_history) as writer:
        before = writer.wait_for(3)
        with backed_up(backend, demo_history, tmp_path) as restored:
            after = writer.wait_for(len(before) + 2)
            codes = _tracking_codes(restored)
            assert set(before) <= codes
            assert len(codes) >= DEMO_PETITIONS + len(before)
            _verified(restored)
    assert len(after) > len(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_is_private_and_never_overwritten(tmp_path: Path) -> None:
    with prepared_database("sqlite", tmp_path) as url:
        backup = tmp_path / "copies" / "pakn.db"
        backup.parent.mkdir()
        first = pakn("backup", str(backup), database_url=url, environment=CLI_ENVIRONMENT)
        assert first.returncode == 0, first.stdout + first.stderr
        assert _mode(backup) == 0o600
        digest = _digest(backup)

        second = pakn("backup", str(backup), database_url=url, environment=CLI_ENVIRONMENT)
        assert second.returncode == 2
        assert f"{backup} exists" in second.stderr and "never overwrites" in second.stderr
        assert _digest(backup) == digest
        assert sorted(p.name for p in backup.parent.iterdir()) == ["pakn.db"]


def test_pakn_backup_of_postgresql_gives_the_pg_dump_command(tmp_path: Path) -> None:
    """PostgreSQL alone: SQLite is backed up by `pakn backup` (the tests above)."""
    backup = tmp_path / "pakn.dump"
    with fresh_database("postgresql", tmp_path) as url:
        done = pakn("backup", str(backup), database_url=url, environment=CLI_ENVIRONMENT)
    assert done.returncode == 2
    assert "pg_dump --format=custom" in done.stderr and "pg_restore" in done.stderr
    assert not backup.exists()
