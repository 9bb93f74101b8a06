"""`pakn backup FILE`: a consistent copy of the SQLite database, taken while pakn serves.

SQLite's online backup API copies the database page by page from one read transaction:
in WAL mode readers do not block writers, so the server keeps writing, and the copy holds
every transaction committed before the backup began and none after. The copy is written to
a draft beside FILE, synced, and linked into place: FILE is whole or absent, never half a
database, and an existing FILE is never overwritten. Where the filesystem has no hard
links (vfat, some network shares) the draft is copied to FILE instead, created exclusively
(so still never over another file) and synced; a crash during that copy can leave a
partial FILE, which the next backup refuses to overwrite. It holds petitioners' contact data,
so it is readable by its owner alone (0600).

PostgreSQL databases are backed up with `pg_dump`; the command says how.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import secrets
import shutil
import sqlite3
import sys
from pathlib import Path

from app.cli.command import Commands
from app.settings import Settings

PRIVATE_FILE = 0o600
BUSY_SECONDS = 10.0
"""How long the backup waits for a lock (pakn's own connections wait as long)."""


NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS})
"""What `link()` fails with on a filesystem without hard links."""
NO_FOLDER_SYNC = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})
"""What `fsync()` of a folder fails with where the filesystem does not sync folders."""


class BackupRefused(Exception):
    """The backup cannot be made as asked; the message says why (exit code 2)."""


def register(commands: Commands) -> None:
    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to a new file, while pakn serves",
        description="FILE must not exist; it is created readable by its owner alone. "
        "For PostgreSQL, use pg_dump (the command tells how).",
    )
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        database = _sqlite_file(settings.database_url)
        pages = back_up(database, Path(args.file))
    except BackupRefused as refused:
        print(f"pakn: {refused}", file=sys.stderr)
        return 2
    print(f"pakn: backed up {database} to {args.file} ({pages} pages)")
    return 0


def _sqlite_file(database_url: str) -> Path:
    from sqlalchemy.engine import make_url

    from db.engine import is_sqlite

    url = make_url(database_url)
    if not is_sqlite(database_url):
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=True)
        raise BackupRefused(
            "pakn backup copies SQLite databases; back up PostgreSQL with pg_dump: "
            f"pg_dump --format=custom --file=FILE '{libpq}' (restore it with createdb "
            "and pg_restore --no-owner --dbname=NEW FILE)"
        )
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupRefused(f"{database_url} is not a database file")
    path = Path(database)
    if not path.is_file():
        raise BackupRefused(f"no database at {path}")
    return path


def back_up(database: Path, target: Path) -> int:
    """Copy `database` to the new file `target`; the number of pages copied."""
    if target.exists() or target.is_symlink():
        raise BackupRefused(f"{target} exists; a backup never overwrites a file")
    draft = target.with_name(f".{target.name}.{secrets.token_hex(8)}.part")
    try:
        os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileNotFoundError as missing:
        raise BackupRefused(f"no folder {target.parent}") from missing
    except OSError as error:
        raise BackupRefused(f"cannot write in {target.parent}: {error.strerror}") from error
    try:
        pages = _copy(database, draft)
        _sync(draft)
        _put_in_place(draft, target)
        _sync_folder(target.parent)
    except FileExistsError as exists:
        raise BackupRefused(f"{target} exists; a backup never overwrites a file") from exists
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        raise BackupRefused(f"the backup failed: {error.strerror or error}{where}") from error
    finally:
        for leftover in (draft, Path(f"{draft}-journal")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
    return pages


def _copy(database: Path, draft: Path) -> int:
    """One backup step for all the pages: one read transaction, so one consistent
    snapshot (a copy in several steps restarts whenever another connection writes). The
    copy is a rollback-journal database, one self-contained file; pakn turns WAL on again
    when it opens it."""
    source = sqlite3.connect(database, timeout=BUSY_SECONDS)
    copy = sqlite3.connect(draft)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
    except sqlite3.Error as error:
        raise BackupRefused(f"the backup failed: {error}") from error
    finally:
        copy.close()
        source.close()
    return pages


def _put_in_place(draft: Path, target: Path) -> None:
    """Link the synced `draft` to `target`, or where links are not supported copy it to a
    `target` created exclusively, and sync that. FileExistsError if `target` exists."""
    try:
        os.link(draft, target)
        return
    except OSError as error:
        if error.errno not in NO_LINKS:
            raise
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as copy, open(draft, "rb") as source:
            shutil.copyfileobj(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        raise


def _sync_folder(folder: Path) -> None:
    try:
        _sync(folder)
    except OSError as error:
        if error.errno not in NO_FOLDER_SYNC:
            raise


def _sync(path: Path) -> None:
    """Flush a file, or a folder's entry for a new file, to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
