"""The server under test: `pakn serve --workers N` as a subprocess, its log in a file,
ready once every worker listens for the feed's notifications."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Any

from bench.common.database import asyncpg_dsn, connect, database_url
from bench.common.paths import pakn_command
from bench.common.processes import child_pids, cmdline, status_kib
from bench.common.servers import ServerProcess, free_port, server_environment
from bench.subscriptions.config import Deadline


class FeedServer(ServerProcess):
    """`pakn serve --workers N` on database `database`, started at once, output to `log`."""

    def __init__(self, database: str, workers: int, log: Path) -> None:
        self.database = database
        self.workers = workers
        self.worker_pids: list[int] = []
        port = free_port()
        command = pakn_command("serve", "--host", "127.0.0.1", "--port", str(port))
        command += ["--workers", str(workers)]
        env = server_environment(
            database_url(database),
            PAKN_SUBMISSIONS_PER_HOUR="1000000",
            PAKN_SECRET_KEY="bench-subscribers-key-of-at-least-32-bytes-0123",
            PYTHONUNBUFFERED="1",
        )
        # in this session: stop() signals the supervisor alone, which stops its workers
        super().__init__("pakn serve", command, env, port, log=log, own_session=False)

    def wait_until_listening(self, deadline: Deadline, seconds: float = 90) -> None:
        """/health answers and every worker has its LISTEN connection (finished starting)."""
        self.wait_ready("/health", deadline.remaining(seconds), ready=self._all_listening)

    def _all_listening(self) -> bool:
        workers = [pid for pid in child_pids(self.pid) if "spawn_main" in cmdline(pid)]
        self.worker_pids = workers or [self.pid]
        listening = asyncio.run(listener_count(self.database))
        return len(self.worker_pids) == self.workers and listening >= self.workers

    def stop(self, grace: float = 30) -> int | None:
        code = super().stop(grace)
        for pid in self.worker_pids:  # orphans, if the supervisor had to be killed
            if pid != self.pid and status_kib(pid, "VmRSS") is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return code

    def log_summary(self, limit: int = 12) -> dict[str, Any]:
        """Counts of the log's lines, errors and warnings, and its first notable lines."""
        assert self.log is not None
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        lines = text.splitlines()
        notable = [
            line
            for line in lines
            if any(word in line for word in ("ERROR", "Traceback", "WARNING", "Exception"))
            and "GET /health" not in line
        ]
        return {
            "lines": len(lines),
            "errors": sum("ERROR" in line or "Traceback" in line for line in lines),
            "warnings": sum("WARNING" in line for line in lines),
            "notable": list(dict.fromkeys(notable))[:limit],
        }


async def listener_count(database: str) -> int:
    """pakn's LISTEN connections to `database`: one a worker once it has started."""
    # imported here: the load generator's process imports this module, and pakn's
    # database layer would add ~15 MiB to the memory it reports
    from db.listener import APPLICATION_NAME as LISTENER_APPLICATION_NAME

    async with connect(asyncpg_dsn(database_url(database))) as connection:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = $1 AND datname = current_database()",
                LISTENER_APPLICATION_NAME,
            )
        )


async def backend_pids(database: str) -> list[int]:
    """The PostgreSQL server processes of every session on `database`."""
    async with connect() as connection:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1", database
        )
        return [int(row["pid"]) for row in rows]
