"""Whether an exception means the database cannot be reached for now, rather than a bug.

PostgreSQL refusing connections (stopped), shutting down or starting up, a connection
dropped mid-statement (a restart, `pg_terminate_backend`), or SQLite's file locked past
the busy timeout, unreadable or full; a connection that cannot be made (refused, no route
to the host, a host name that does not resolve, asyncpg's connect timeout) or a pool with
no connection free within its timeout: the request may succeed if retried in a few
seconds, and the pool replaces the dead connections by itself (`db.engine`). The API
answers these DATABASE_UNAVAILABLE (HTTP 503 with Retry-After), never as a bug.

pakn's own time limits are not outages and raise no `TimeoutError`: the request timeout
is `app.web.deadline.OperationTimedOut` (REQUEST_TIMEOUT), a stopped statement is the
driver's "query canceled" or "interrupted" (QUERY_TIMEOUT, `schema.extensions`).

An exception raised `from None` while handling an outage is its handler's own verdict
(a bug, a refusal): only its `__cause__`, and its `__context__` unless suppressed, are
looked at.
"""

from __future__ import annotations

import errno
import socket
import sqlite3

import asyncpg
from sqlalchemy import exc

UNAVAILABLE_SQLSTATES = frozenset(
    {
        "57P01",  # admin_shutdown: the server is shutting down (`pg_ctl stop -m fast`)
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: "the database system is starting up"/"shutting down"
        "53300",  # too_many_connections
    }
)
"""SQLSTATEs besides class 08 (connection exception) that mean: try again later."""

SQLITE_UNAVAILABLE = (
    "database is locked",
    "disk i/o error",
    "unable to open database file",
    "database or disk is full",
)
"""SQLite's OperationalError messages (lower case) that mean: the file cannot be used now."""

UNREACHABLE_ERRNOS = frozenset(
    {
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,  # e.g. ::1 where IPv6 is off
    }
)
"""Socket errnos (besides ConnectionError's) of a database host out of reach."""

MULTIPLE_CONNECT_ERRORS = "Multiple exceptions: "
"""asyncio's OSError when every address a host name resolves to refused the connection
for different reasons (Python 3.11: no errno, the reasons in its message)."""

RECONNECT = "Can't reconnect until invalid transaction is rolled back"
"""SQLAlchemy's refusal to go on in a transaction whose connection was lost (invalidated)."""


def _sqlstate(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else None


def _one_says_unavailable(error: BaseException) -> bool:
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror | exc.TimeoutError):
        return True  # refused, reset, aborted, broken pipe; connect timeout; DNS; pool full
    if isinstance(error, OSError) and (
        error.errno in UNREACHABLE_ERRNOS or str(error).startswith(MULTIPLE_CONNECT_ERRORS)
    ):
        return True
    if isinstance(error, exc.PendingRollbackError) and str(error).startswith(RECONNECT):
        return True  # the session's connection was lost earlier in the request
    state = _sqlstate(error)
    if state is not None and (state.startswith("08") or state in UNAVAILABLE_SQLSTATES):
        return True
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return any(message.startswith(known) for known in SQLITE_UNAVAILABLE)
    return isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or an exception it was raised from, says the database is out of
    reach for now (see the module's docstring)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen and len(seen) < 16:
        if _one_says_unavailable(error):
            return True
        seen.add(id(error))
        if error.__cause__ is not None:
            error = error.__cause__
        elif error.__suppress_context__:
            return False
        else:
            error = error.__context__
    return False
