"""Engines and sessions, chosen by the database URL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db import interrupts

T = TypeVar("T")


SQLITE_SYNCHRONOUS = "FULL"
"""In WAL mode, NORMAL syncs the log only at checkpoints: a power cut (not a crash of pakn
alone) can lose the last commits, submissions whose tracking codes the citizens already
hold. FULL syncs the log at every commit. Its cost on W5 is in bench/README.md
("Durable writes"); `bench/durability.py` sets NORMAL here to measure it."""


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


PRIVATE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_sqlite_file_private(url: str) -> None:
    """The SQLite database file, created (empty) readable by its owner alone before SQLite
    opens it, or made so if it exists: it holds petitioners' contact data. SQLite gives
    its -wal and -shm files the database file's mode; those already there are tightened
    too. An in-memory database has no file."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        pass
    for suffix in SQLITE_COMPANIONS:
        path = database + suffix
        with contextlib.suppress(FileNotFoundError):
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, PRIVATE)


def create_engine(
    url: str, *, pool_size: int = 10, statement_timeout: float | None = None
) -> AsyncEngine:
    """`statement_timeout` (seconds; PostgreSQL only) cancels any statement that runs, or
    waits for a lock, longer: one slow query must not hold a connection and a core while
    its client has long gone. PostgreSQL connections also get `WORK_MEM`. Statements can
    be stopped from outside (`db.interrupts`). Errors never show the statement's
    parameters (`hide_parameters`): a failed erasure's are the contact values it erases, and
    an error is logged with its traceback."""
    if is_sqlite(url):
        make_sqlite_file_private(url)
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        interrupts.watch(engine)
        return engine
    settings = {"work_mem": WORK_MEM}
    if statement_timeout:
        settings["statement_timeout"] = str(round(statement_timeout * 1000))
    engine = create_async_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"server_settings": settings},
    )
    event.listen(engine.sync_engine, "checkout", _refuse_dead_connection)
    event.listen(engine.sync_engine, "checkin", _note_idle_since)
    interrupts.watch(engine)
    return engine


@asynccontextmanager
async def open_engine(url: str, **options: Any) -> AsyncIterator[AsyncEngine]:
    """An engine for the length of an `async with` block, disposed however the block ends:
    for commands, loaders and tests that hold one engine for one job."""
    engine = create_engine(url, **options)
    try:
        yield engine
    finally:
        await engine.dispose()


WORK_MEM = "16MB"
"""Memory for one sort or bitmap of a statement. At PostgreSQL's 4 MB a bitmap of 100,000
rows (one field's petitions, at a million) turns lossy, and a search then recomputes the
text search vector of every row on 20,000 pages: 1.4 s instead of 0.24 s."""

IDLE_PING_SECONDS = 30.0
"""A pooled connection idle this long is pinged before use: a silent network drop (a
firewall, a proxy's idle timeout) leaves no trace on the socket."""


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _refuse_dead_connection(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Hand out only live connections, without a round trip under load.

    SQLAlchemy's `pool_pre_ping` costs three round trips per checkout on asyncpg (BEGIN,
    a ping, ROLLBACK), as much as the statement a fast read then runs. A server restart
    or `pg_terminate_backend` closes the socket, which asyncpg notices as soon as the
    event loop reads it, so `is_closed()` answers without asking the server; only a
    connection idle past `IDLE_PING_SECONDS` is pinged. Raising `DisconnectionError` makes
    the pool discard the connection and check out a fresh one.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the database closed this connection")
    idle_since = record.info.get("idle_since")
    if idle_since is not None and time.monotonic() - idle_since > IDLE_PING_SECONDS:
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise exc.DisconnectionError("the database connection did not answer") from error


def _retrieved(statement: asyncio.Future[Any]) -> None:
    """A statement whose caller was cancelled fails unread (a request timeout stopped it):
    read its exception, so asyncio does not log it as never retrieved."""
    if not statement.cancelled():
        statement.exception()


class SerialSession(AsyncSession):
    """An AsyncSession that concurrently resolving GraphQL fields can share.

    GraphQL resolves sibling fields and dataloader batches concurrently, but one session
    holds one connection, which runs one statement at a time. The lock queues them.

    A statement also runs to its end when its caller is cancelled: graphql-core cancels a
    failed field's siblings, and a statement cut off mid-flight left the connection busy,
    so that closing the session failed (a 500 instead of the field's error). Closing
    waits for the statement in flight.

    Closing also waits for the work registered with `keep_open_for`: a dataloader's batch
    outlives the fields that asked for it, and one that ran after the close began a new
    transaction on a connection nobody returned to the pool.

    A statement runs in a task of its own, named after its caller's, so that the name still
    tells whose statement it is (the event feed's pump is left out of statement counts).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._statement_lock = asyncio.Lock()
        self._pending: set[asyncio.Future[Any]] = set()

    def keep_open_for(self, future: asyncio.Future[Any]) -> None:
        """Closing the session waits until `future` is done."""
        if not future.done():
            self._pending.add(future)
            future.add_done_callback(self._pending.discard)

    async def _serially(
        self, operation: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
    ) -> T:
        async def locked() -> T:
            async with self._statement_lock:
                return await operation(*args, **kwargs)

        caller = asyncio.current_task()
        statement = asyncio.get_running_loop().create_task(
            locked(), name=caller.get_name() if caller is not None else None
        )
        statement.add_done_callback(_retrieved)
        return await asyncio.shield(statement)

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await self._serially(super().execute, *args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await self._serially(super().scalar, *args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await self._serially(super().get, *args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        await self._serially(super().flush, *args, **kwargs)

    async def commit(self) -> None:
        await self._serially(super().commit)

    async def rollback(self) -> None:
        await self._serially(super().rollback)

    async def close(self) -> None:
        while self._pending:
            await asyncio.wait(list(self._pending))
        await self._serially(super().close)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=SerialSession, expire_on_commit=False)
