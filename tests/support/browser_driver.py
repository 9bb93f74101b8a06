"""The driver of the browser test (tests/clients/test_browser.py): headless Chromium,
run by `tests/clients/node/browser.mjs` (playwright-core) in a Node child process that
takes commands in and reports what the browser did, one JSON object a line.

It needs node, node_modules (`make node`) and Chromium (`make browser`, or
PAKN_TEST_CHROMIUM); without them `browser_or_skip` skips with a message, except under
CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser_page import NODE_MODULES, ROOT

DRIVER = ROOT / "tests" / "clients" / "node" / "browser.mjs"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT = 30.0
"""Seconds any one expected thing may take (a reconnection after a restart: 45)."""


def browser_or_skip() -> tuple[str, str]:
    """node and Chromium, or a skip (a failure under CI=true) naming what is missing."""
    node = shutil.which("node")
    chromium = os.environ.get("PAKN_TEST_CHROMIUM") or shutil.which("chromium")
    needs = {
        "node": node is not None,
        "node_modules with playwright-core and @apollo/client (make node)": all(
            (NODE_MODULES / name).is_dir() for name in ("playwright-core", "@apollo/client")
        ),
        "chromium (make browser, or set PAKN_TEST_CHROMIUM)": bool(
            chromium and Path(chromium).is_file()
        ),
    }
    missing = [need for need, ok in needs.items() if not ok]
    if missing:
        message = "the browser test needs " + "; ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: it must run)")
        pytest.skip(message)
    assert node is not None and chromium is not None
    return node, chromium


class Browser:
    """`node/browser.mjs` in a child process: commands in, what the browser did out."""

    def __init__(self, node: str, chromium: str) -> None:
        config = {"executablePath": chromium, "args": CHROMIUM_ARGS, "watchdogMs": 90_000}
        self.process = subprocess.Popen(
            [node, str(DRIVER), json.dumps(config)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.seen: list[dict[str, Any]] = []
        self.changed = threading.Condition()
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.stderr: list[str] = []
        self.last_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                message = {"kind": "stdout", "text": line}
            if "reply" in message:
                self.replies.put(message)
                continue
            with self.changed:
                self.seen.append(message)
                self.changed.notify_all()
        with self.changed:
            self.seen.append({"kind": "exit"})
            self.changed.notify_all()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    def command(self, cmd: str, **arguments: Any) -> Any:
        assert self.process.stdin is not None
        self.last_id += 1
        self.process.stdin.write(json.dumps({"id": self.last_id, "cmd": cmd, **arguments}) + "\n")
        self.process.stdin.flush()
        try:
            reply = self.replies.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"no reply to {cmd} in {WAIT} s; {self._story()}") from None
        assert reply["reply"] == self.last_id and "error" not in reply, reply
        return reply["result"]

    def where(self, **fields: Any) -> list[dict[str, Any]]:
        with self.changed:
            return [m for m in self.seen if all(m.get(k) == v for k, v in fields.items())]

    def wait_for(self, condition: Callable[[], Any], what: str, timeout: float = WAIT) -> None:
        """Until `condition()` holds; fails at once on a page error or the driver's end."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not condition():
                failed = [m for m in self.seen if m["kind"] in {"pageerror", "exit", "watchdog"}]
                if failed or time.monotonic() > deadline:
                    raise AssertionError(f"waited for {what}: {failed}; {self._story()}")
                self.changed.wait(0.2)

    def _story(self) -> str:
        stderr = "".join(self.stderr)[-2000:]
        return f"stderr {stderr!r}; last seen {self.seen[-10:]}"

    def console(self, page: str) -> list[list[Any]]:
        """What `page` printed with console.log, each call's arguments as JSON values."""
        return [m["args"] for m in self.where(kind="console", page=page, type="log")]

    def frames(self, page: str, frame_type: str, kind: str = "ws-received") -> list[Any]:
        """The graphql-transport-ws messages of type `frame_type` that `page` received
        (or, with `kind="ws-sent"`, sent)."""
        frames = (json.loads(m["payload"]) for m in self.where(kind=kind, page=page))
        return [frame for frame in frames if frame.get("type") == frame_type]

    def requests(self, page: str, url: str) -> list[dict[str, Any]]:
        """`page`'s requests to `url`, whatever their query string."""
        return [m for m in self.where(kind="request", page=page) if m["url"].split("?")[0] == url]

    def responses(self, page: str, url: str) -> list[dict[str, Any]]:
        return [m for m in self.where(kind="response", page=page) if m["url"].split("?")[0] == url]

    def close(self) -> None:
        """Close stdin (the driver then closes the browser); kill it if it does not exit."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=5)


@contextmanager
def chromium_driver(node: str, chromium: str) -> Iterator[Browser]:
    driver = Browser(node, chromium)
    try:
        driver.wait_for(lambda: driver.where(kind="ready"), "the browser to start")
        yield driver
    finally:
        driver.close()


def fill_in_a_petition(browser: Browser, page: str, title: str) -> None:
    """Type a citizen's petition into /submit's form on `page`, as a person would."""
    fields = {
        "#title": title,
        "#body": "Thời gian cấp giấy phép xây dựng nhà ở riêng lẻ kéo dài quá quy định.",
        "#fullName": "Nguyễn Văn An",
        "#email": "an@example.vn",
    }
    for selector, value in fields.items():
        browser.command("fill", page=page, selector=selector, value=value)
    browser.command("select", page=page, selector="#subject", value="ADMINISTRATIVE_PROCEDURE")
