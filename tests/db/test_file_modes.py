"""Files pakn creates hold personal data or may: they are readable by their owner alone
(0600). The SQLite database and the -wal and -shm files SQLite makes beside it, a database
file found readable by others (tightened), and the files `pakn export` writes (issue 14,
point 1, in part)."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from app import cli
from db.engine import open_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def _write(url: str) -> dict[str, int]:
    """Write through pakn's engine; the modes of the database's files while it is open
    (SQLite removes -wal and -shm when the last connection closes)."""
    async with open_engine(url) as engine, engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (x INTEGER)"))
        await connection.execute(text("INSERT INTO t VALUES (1)"))
        folder = Path(engine.url.database or "").parent
        return {path.name: _mode(path) for path in folder.glob("pakn.db*")}


def test_the_sqlite_database_and_its_wal_files_are_private(tmp_path: Path) -> None:
    modes = asyncio.run(_write(f"sqlite+aiosqlite:///{tmp_path / 'pakn.db'}"))
    assert modes == {"pakn.db": 0o600, "pakn.db-wal": 0o600, "pakn.db-shm": 0o600}


def test_a_database_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "pakn.db"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    asyncio.run(_write(f"sqlite+aiosqlite:///{database}"))
    assert _mode(database) == 0o600


def test_pakn_export_writes_private_files(
    demo_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAKN_DATABASE_URL", demo_database)
    output = tmp_path / "all.csv"
    assert cli.main(["export", "petitions", "--output", str(output)]) == 0
    written = sorted(tmp_path.iterdir())
    assert len(written) >= 2, written
    assert {path.name: _mode(path) for path in written} == {p.name: 0o600 for p in written}
