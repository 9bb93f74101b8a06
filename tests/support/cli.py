"""`pakn` as a user runs it: `python -m app.cli ...` in a child process.

`pakn(...)` runs one command to its end; `pakn_serve(...)` keeps `pakn serve` running for
the length of a `with` block.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from tests.support.server import free_port

SERVE_ENVIRONMENT = {
    "PAKN_SUBMISSIONS_PER_HOUR": "100000",
    "PAKN_READ_RATE": "0",
    "PAKN_SECRET_KEY": "test-key-of-thirty-two-bytes-0123456789",
}
"""What `pakn_serve` adds for the workflow: no rate limit to speak of, no read limit (the
tests send many requests from one address), a known key."""


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def _environment(database_url: str | None, environment: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ if environment is None else environment)
    if "PAKN_SECRET_KEY_FILE" not in env:
        env.setdefault("PAKN_SECRET_KEY", SERVE_ENVIRONMENT["PAKN_SECRET_KEY"])
    if database_url is not None:
        env["PAKN_DATABASE_URL"] = database_url
    return env


def pakn(
    *args: str,
    database_url: str | None = None,
    environment: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `pakn <args>` to its end; its exit code, stdout and stderr (text) come back.

    It inherits this process's environment, or has only `environment` when one is given;
    `database_url` becomes its PAKN_DATABASE_URL. It has the tests' secret key unless the
    environment names one (never a key file of the developer's)."""
    return subprocess.run(
        _command(*args),
        capture_output=True,
        text=True,
        env=_environment(database_url, environment),
        check=False,
    )


def wait_for_health(
    url: str,
    process: subprocess.Popen[bytes],
    seconds: float = 30,
    *,
    name: str = "pakn serve",
    log: Path | None = None,
) -> None:
    """Until `url`'s /health answers 200; RuntimeError if `process` exits first or
    `seconds` pass, with the tail of its `log` when it writes one."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    tail = f":\n{log.read_text(errors='replace')[-3000:]}" if log and log.exists() else ""
    raise RuntimeError(f"{name} did not come up (exit code {process.poll()}){tail}")


@contextmanager
def pakn_serve(
    database_url: str, workers: int = 1, settings: Mapping[str, str] | None = None
) -> Iterator[str]:
    """`pakn serve` in a child process on a free port; yields its URL, stops it after.

    `settings` (PAKN_... variables) are added last: they override `SERVE_ENVIRONMENT`."""
    with pakn_serve_process(database_url, workers, settings) as (url, _process):
        yield url


@contextmanager
def pakn_serve_process(
    database_url: str,
    workers: int = 1,
    settings: Mapping[str, str] | None = None,
    stderr: int | IO[bytes] = subprocess.DEVNULL,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`pakn_serve`, yielding the supervisor's process too (its children are the
    workers); the supervisor's messages go to `stderr`."""
    port = free_port()
    process = subprocess.Popen(
        _command("serve", "--port", str(port), "--workers", str(workers)),
        env=_environment(database_url, None) | SERVE_ENVIRONMENT | dict(settings or {}),
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)
