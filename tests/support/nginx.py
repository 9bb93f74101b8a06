"""pakn on several hosts behind a real nginx, for the multi-host tests (#19).

`Nginx` runs Debian's nginx (or PAKN_TEST_NGINX) as a child process on the shipped example
configuration, `deploy/nginx.conf`, rendered into a temporary folder: its `@NAME@`
placeholders become a free loopback port, the hosts' addresses and paths inside that
folder; nothing else of it is changed, so the tests test what an operator copies.

`Host` is one pakn "host": `pakn serve --workers 2` on a port of its own, in a process
group of its own (so a test can kill the supervisor and its workers at once), trusting
nginx's `X-Forwarded-For` (PAKN_TRUSTED_PROXIES=127.0.0.1) and sharing the database and
the secret key with the other host.

Without nginx, `nginx_or_skip` skips with a message (`make nginx` installs it), except
under CI=true, where it fails.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pytest

from app.web.serving import STOP_GRACE_SECONDS
from tests.support.cli import wait_for_health
from tests.support.server import free_port
from tests.support.workflow import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
START_SECONDS = 60.0
"""How long nginx or a pakn host may take to come up."""
STOP_SECONDS = STOP_GRACE_SECONDS + 30
"""How long a host may take to exit after SIGTERM: its workers' drain, and then some."""

HOST_ENVIRONMENT = {
    "PAKN_SECRET_KEY": TEST_KEY,
    "PAKN_TRUSTED_PROXIES": "127.0.0.1",
}
"""What every host of a test shares: the key (the petitioners' secrets, the client
fingerprints of the rate limits) and its trust in nginx, which reaches it from
127.0.0.1. The limits are pakn's defaults unless a test sets its own."""


def nginx_or_skip() -> str:
    """The nginx executable (PAKN_TEST_NGINX, else Debian's); else a skip, or a failure
    under CI=true (CI must run the multi-host tests)."""
    configured = os.environ.get("PAKN_TEST_NGINX")
    found = configured or shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found and Path(found).is_file() and os.access(found, os.X_OK):
        return found
    message = (
        f"PAKN_TEST_NGINX={configured} is not an executable"
        if configured
        else "nginx is missing (make nginx, or set PAKN_TEST_NGINX)"
    )
    message += ": the multi-host tests cannot run"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: they must)")
    pytest.skip(message)


def render(template: str, values: Mapping[str, str]) -> str:
    """`template` with each `@NAME@` replaced by `values[NAME]`; every placeholder must
    have a value and every value a placeholder (a renamed one fails loudly)."""
    named = set(PLACEHOLDER.findall(template))
    if named != set(values):
        raise ValueError(f"placeholders {sorted(named)}, values for {sorted(values)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class OnLoopback:
    """A server of the tests on 127.0.0.1:`port`, and how clients reach it."""

    port: int

    @property
    def address(self) -> str:
        """`host:port`, as nginx's upstream and its `X-Upstream` header name it."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.address}/graphql"


@dataclass
class Nginx(OnLoopback):
    """nginx in front of `upstreams` (two `host:port`), in `folder`, until `stop`."""

    upstreams: tuple[str, str]
    folder: Path
    binary: str = field(default_factory=nginx_or_skip)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    @property
    def cache(self) -> Path:
        return self.folder / "cache"

    def configuration(self) -> str:
        return render(
            NGINX_CONF.read_text(),
            {
                # as root the workers would otherwise run as nobody, who may not enter the
                # test's temporary folder; as anyone else nginx ignores the directive
                "USER": getpass.getuser(),
                "PID": str(self.folder / "nginx.pid"),
                "ERROR_LOG": str(self.error_log),
                "ACCESS_LOG": str(self.folder / "access.log"),
                "LISTEN": f"127.0.0.1:{self.port}",
                "HOST_A": self.upstreams[0],
                "HOST_B": self.upstreams[1],
                "CACHE": str(self.cache),
                "TEMP": str(self.folder / "temp"),
            },
        )

    def start(self) -> Nginx:
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in ("cache", "temp"):
            (self.folder / name).mkdir(exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(self.configuration())
        command = [self.binary, "-p", str(self.folder), "-c", str(conf), "-e", str(self.error_log)]
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_SECONDS
        while not _accepts(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not start:\n{self.errors()}")
            time.sleep(0.05)
        return self

    def errors(self) -> str:
        """nginx's error log so far (empty when there is none yet)."""
        try:
            return self.error_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()


@dataclass
class Host(OnLoopback):
    """`pakn serve --workers 2` on `port`, with `HOST_ENVIRONMENT` and `settings`; its
    messages go to `log`. `start` waits for `/health`; it can be stopped and started
    again on the same port, as a rolling restart does."""

    database_url: str
    log: Path
    settings: Mapping[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    workers: int = 2
    process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        """Start it without waiting (see `wait_until_healthy`): hosts start side by side."""
        environment = (
            dict(os.environ)
            | HOST_ENVIRONMENT
            | {"PAKN_DATABASE_URL": self.database_url}
            | dict(self.settings)
        )
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--workers", str(self.workers)],
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,  # its own process group: see `kill`
            )

    def wait_until_healthy(self) -> None:
        assert self.process is not None, "launch it first"
        wait_for_health(
            self.url, self.process, START_SECONDS, name=f"pakn host {self.address}", log=self.log
        )

    def start(self) -> Host:
        self.launch()
        self.wait_until_healthy()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def terminate(self, seconds: float = STOP_SECONDS) -> int:
        """SIGTERM to the supervisor, as systemd stops it; its exit code once it exits."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=seconds)

    def kill(self) -> None:
        """SIGKILL to the supervisor and its workers at once: the host is gone."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=START_SECONDS)

    def stop(self) -> None:
        """However the test ended: SIGTERM, then SIGKILL to the group if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # workers an early exit left behind
        except ProcessLookupError:
            pass
        self.process.wait(timeout=START_SECONDS)


@contextmanager
def behind_nginx(
    database_url: str, folder: Path, settings: Mapping[str, str], nginx: str
) -> Iterator[tuple[tuple[Host, Host], Nginx]]:
    """Two hosts on `database_url` with `settings`, started side by side, and the `nginx`
    executable in front of them, all in `folder`; everything stopped after."""
    hosts = (
        Host(database_url, folder / "host-a.log", settings),
        Host(database_url, folder / "host-b.log", settings),
    )
    try:
        for host in hosts:
            host.launch()
        for host in hosts:
            host.wait_until_healthy()
        upstreams = (hosts[0].address, hosts[1].address)
        with Nginx(upstreams, folder / "nginx", binary=nginx) as proxy:
            yield hosts, proxy
    finally:
        for host in hosts:
            host.stop()
