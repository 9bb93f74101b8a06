"""A throwaway PostgreSQL cluster that a test may stop and start: `initdb` into a temporary
folder, `pg_ctl` on a free loopback port, trust authentication, stopped and removed after
the `with` block however it ends. The machine's shared PostgreSQL is never touched.

PostgreSQL refuses to run as root; as root the cluster runs as the `postgres` user
(through `runuser`), which then owns the folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.server import free_port

SERVER_USER = "postgres"


def _binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


@dataclass
class PgCluster:
    """A running (or stopped) cluster: `url` for user postgres' database `postgres`."""

    folder: Path
    port: int
    binaries: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.binaries / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        subprocess.run(command, check=check, capture_output=True, timeout=60)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def log(self) -> str:
        try:
            return (self.folder / "log").read_text()
        except FileNotFoundError:
            return ""


@contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    """A fresh cluster, started; stopped (immediately) and removed afterwards. Skipped
    when PostgreSQL's server programs are not installed (failed under CI=true)."""
    binaries = _binaries()
    if binaries is None:
        message = "PostgreSQL's initdb and pg_ctl are not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: the restart test must run)")
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="pakn-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(SERVER_USER)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = PgCluster(folder, free_port(), binaries)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster._run(
            "pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop", check=False
        )
        shutil.rmtree(folder, ignore_errors=True)
