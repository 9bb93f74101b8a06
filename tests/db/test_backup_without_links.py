"""`pakn backup` where the filesystem fails it (#14, point 5, the review's follow-up): no
hard links (vfat, some network shares) falls back to an exclusive copy that still never
overwrites a file; any other OSError is the command's refusal (exit 2, the cause named),
never a traceback, and leaves no draft behind.

`os.link` and `os.fsync` are replaced in this process to play the filesystem: the one
fake these tests allow. The database is a real SQLite file (`pakn backup` copies SQLite
alone; PostgreSQL is pg_dump's, tests/db/test_backup.py)."""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli import backup
from app.settings import Settings
from tests.support.databases import prepared_database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with prepared_database("sqlite", tmp_path) as url:
        yield url


def _back_up(url: str, target: Path) -> int:
    return backup.run(argparse.Namespace(file=str(target)), Settings(database_url=url))


def _failing(number: int) -> Any:
    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(number, os.strerror(number))

    return fail


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}


@pytest.mark.parametrize("number", [errno.EPERM, errno.ENOTSUP], ids=["EPERM", "ENOTSUP"])
def test_without_hard_links_the_backup_is_an_exclusive_copy(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    target = tmp_path / "copies" / "pakn.db"
    target.parent.mkdir()
    monkeypatch.setattr(os, "link", _failing(number))
    assert _back_up(database, target) == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert "petitions" in _tables(target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["pakn.db"]


def test_the_copy_never_overwrites_a_file_made_meanwhile(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "pakn.db"

    def someone_else_writes_first(*_args: Any) -> None:
        target.write_bytes(b"theirs")
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", someone_else_writes_first)
    assert _back_up(database, target) == 2
    assert "exists; a backup never overwrites a file" in capsys.readouterr().err
    assert target.read_bytes() == b"theirs"
    assert not list(tmp_path.glob(".pakn.db.*"))


@pytest.mark.parametrize(
    ("failing", "number"),
    [("link", errno.EIO), ("link", errno.EACCES), ("fsync", errno.EIO)],
    ids=["link-EIO", "link-EACCES", "fsync-EIO"],
)
def test_a_filesystem_error_is_a_refusal_naming_its_cause(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failing: str,
    number: int,
) -> None:
    target = tmp_path / "pakn.db"
    monkeypatch.setattr(os, failing, _failing(number))
    assert _back_up(database, target) == 2
    error = capsys.readouterr().err
    assert error.startswith("pakn: the backup failed: ") and os.strerror(number) in error
    assert "Traceback" not in error
    assert not target.exists()
    assert not list(tmp_path.glob(".pakn.db.*"))
