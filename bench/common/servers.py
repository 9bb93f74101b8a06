"""Servers under test, started as subprocesses on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.common.paths import ROOT
from bench.common.processes import stop_process


def free_port() -> int:
    """A loopback TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


UNLIMITED = {
    "PAKN_READ_RATE": "0",
    "PAKN_MAX_SOCKETS_PER_CLIENT": "0",
    "PAKN_MAX_SOCKETS": "0",
    "PAKN_MAX_EXPORTS_PER_CLIENT": "0",
}
"""A load generator sends every request, and opens every socket, from one address: with
the per-client limits on, a run would time 429s and refused sockets instead of the
service."""


def server_environment(database_url: str, **settings: str) -> dict[str, str]:
    """This process's environment with pakn's database URL and `settings`, and no
    per-client limits unless the environment or `settings` set one (`PAKN_READ_RATE=600
    bench/run` measures with the read limit on)."""
    return {**UNLIMITED, **os.environ, "PAKN_DATABASE_URL": database_url, **settings}


class ServerExited(RuntimeError):
    """The server process ended before it was ready."""


class ServerProcess:
    """A server (`pakn serve`, the floor) as a subprocess run from the project root (or
    `cwd`: another checkout of pakn, for a baseline).

    Its output goes to `log` (stdout and stderr) or nowhere. With `own_session` it runs in
    a session of its own and stop() signals the whole group, workers included.
    """

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        port: int,
        *,
        log: Path | None = None,
        own_session: bool = True,
        cwd: Path = ROOT,
    ) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.own_session = own_session
        with open(log, "wb") if log else contextlib.nullcontext(subprocess.DEVNULL) as output:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=cwd,
                stdout=output,
                stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
                start_new_session=own_session,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(
        self, path: str, timeout: float = 60, ready: Callable[[], bool] | None = None
    ) -> None:
        """Wait until GET `path` answers 200 and then `ready()`, if given, is true."""
        end = time.monotonic() + timeout
        healthy = False
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise ServerExited(f"{self.name} exited ({self.process.returncode}){self._log()}")
            if not healthy:
                with contextlib.suppress(httpx.HTTPError):
                    healthy = httpx.get(f"{self.url}{path}", timeout=2).status_code == 200
            if healthy and (ready is None or ready()):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} on port {self.port} did not become ready")

    def stop(self, grace: float = 30) -> int | None:
        """SIGTERM, then SIGKILL after `grace` seconds; the exit code."""
        return stop_process(self.process, group=self.own_session, grace=grace)

    def _log(self, chars: int = 2000) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return ":\n" + self.log.read_text(errors="replace")[-chars:]


def graphql_succeeded(response: httpx.Response) -> bool:
    """A 200 without GraphQL errors: anything else makes a timing void."""
    return response.status_code == 200 and "errors" not in response.json()
