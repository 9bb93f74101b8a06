"""The README's browser snippet, run as written in headless Chromium on another origin.

The block between `<!-- browser-snippet -->` and `<!-- /browser-snippet -->` in README.md
is served as a module from a small HTTP server on 127.0.0.2 (another origin than pakn's
127.0.0.1), with an import map that points its bare specifiers at the ESM files in
node_modules; only the server's URL and the tracking code are substituted. Chromium
(`node/browser.mjs`, playwright-core) runs it against a real pakn server, so the browser
itself makes the CORS preflights, the cross-origin GET and POST of the persisted query and
the cross-origin WebSocket. The test moves the petition on, restarts the server while the
page follows it, and reads what the page printed on its console.

It needs node, node_modules (`make node`) and Chromium (`make browser`, or
PAKN_TEST_CHROMIUM); without them it skips with a message, except under CI=true, where it
fails.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.server import RunningServer
from tests.support.workflow import Tokens, Workflow, workflow_settings

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
DRIVER = Path(__file__).resolve().parent / "node" / "browser.mjs"
PAGE_HOST = "127.0.0.2"
SNIPPET_URL = "https://pakn.example.vn/graphql"
SNIPPET_CODE = "PAKN-2026-000123"
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
CONDITIONS = frozenset({"browser", "module", "import", "es2015", "default"})
"""The `exports` conditions an ES module in a browser is resolved with, as bundlers do."""
SOCKET_PROBE = """
window.sockets = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    const record = { url: String(args[0]), opened: false, closeCode: null };
    window.sockets.push(record);
    this.addEventListener("open", () => { record.opened = true; });
    this.addEventListener("close", (event) => { record.closeCode = event.code; });
  }
};
"""
"""Runs before the snippet: each WebSocket remembers how it ended (Playwright can't tell)."""


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


def readme_snippet() -> str:
    """The JavaScript between the README's browser-snippet markers, without its fence."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- browser-snippet -->\n```js\n(.*?)```\n<!-- /browser-snippet -->", readme, re.S
    )
    assert found, "README.md has no ```js block between the browser-snippet markers"
    return found.group(1)


def _target(value: Any) -> str | None:
    """One `exports` value (a path, a map of conditions or a list) resolved to a path."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((found for found in map(_target, value) if found), None)
    if isinstance(value, dict):
        for condition, sub in value.items():
            if condition in CONDITIONS and (found := _target(sub)):
                return found
    return None


def import_map(node_modules: Path) -> dict[str, str]:
    """Bare specifier -> URL of its ESM file, for every package in `node_modules`: each
    package's `exports` (`.` and every plain subpath) or else its `module` or `main`
    file, and `<name>/` for any other deep import."""
    imports: dict[str, str] = {}
    manifests = [*node_modules.glob("*/package.json"), *node_modules.glob("@*/*/package.json")]
    for manifest in sorted(manifests):
        package = json.loads(manifest.read_text(encoding="utf-8"))
        name = manifest.parent.relative_to(node_modules).as_posix()
        exports = package.get("exports")
        if isinstance(exports, dict) and any(key.startswith(".") for key in exports):
            subpaths = exports
        elif exports is not None:
            subpaths = {".": exports}
        else:
            subpaths = {".": package.get("module") or package.get("main") or "index.js"}
        for subpath, value in subpaths.items():
            target = _target(value)
            if not target or "*" in subpath or target.endswith((".d.ts", ".cjs", ".json")):
                continue
            specifier = name if subpath == "." else f"{name}/{subpath.removeprefix('./')}"
            imports[specifier] = f"/node_modules/{name}/{target.removeprefix('./')}"
        imports[f"{name}/"] = f"/node_modules/{name}/"
    return imports


def page_html(imports: dict[str, str]) -> str:
    return (
        '<!doctype html>\n<meta charset="utf-8">\n<title>pakn: the README snippet</title>\n'
        '<link rel="icon" href="data:,">\n'
        f'<script type="importmap">{json.dumps({"imports": imports})}</script>\n'
        f"<script>{SOCKET_PROBE}</script>\n"
        '<script type="module" src="/snippet.js"></script>\n'
    )


class _PageHandler(BaseHTTPRequestHandler):
    server: PageServer

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in self.server.files:
            self._send(200, *self.server.files[path])
        elif path.startswith("/node_modules/"):
            self._module(path.removeprefix("/node_modules/"))
        else:
            self._send(404, b"not found", "text/plain")

    def _module(self, relative: str) -> None:
        file = (NODE_MODULES / relative).resolve()
        if not file.is_relative_to(NODE_MODULES.resolve()):
            self._send(404, b"not found", "text/plain")
        elif file.is_file():
            media = "application/json" if file.suffix in {".json", ".map"} else "text/javascript"
            self._send(200, file.read_bytes(), media)
        else:
            # Compiled packages (rxjs) import "./Subscriber" without its extension. A
            # redirect to the file gives the module its real URL, against which its own
            # relative imports resolve.
            for candidate in (f"{relative}.js", f"{relative}/index.js"):
                if (NODE_MODULES / candidate).is_file():
                    self.send_response(302)
                    self.send_header("Location", f"/node_modules/{candidate}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{media_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class PageServer(ThreadingHTTPServer):
    """The page's origin on 127.0.0.2: the HTML, the snippet and node_modules."""

    daemon_threads = True

    def __init__(self, snippet: str) -> None:
        super().__init__((PAGE_HOST, 0), _PageHandler)
        self.files: dict[str, tuple[bytes, str]] = {
            "/": (page_html(import_map(NODE_MODULES)).encode(), "text/html"),
            "/snippet.js": (snippet.encode(), "text/javascript"),
        }
        self.origin = f"http://{PAGE_HOST}:{self.server_address[1]}"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> PageServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


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


def public_events(server: RunningServer, code: str) -> list[dict[str, Any]]:
    data = server.gql(
        "query($c: String!) { petition(trackingCode: $c) { events(first: 100) { edges {"
        " cursor node { action toStatus at } } } } }",
        {"c": code},
    )
    return [{"cursor": e["cursor"], **e["node"]} for e in data["petition"]["events"]["edges"]]


class Petition:
    """The petition the page follows, moved on by whoever takes each step."""

    def __init__(self, workflow: Workflow) -> None:
        submitted = workflow.submit()
        self.code: str = submitted["trackingCode"]
        self.secret: str = submitted["secret"]
        self.latest: dict[str, Any] = submitted["petition"]

    def step(self, on: RunningServer, tokens: Tokens, name: str) -> None:
        self.latest = Workflow(on, tokens).step(name, self.latest, self.secret)


@pytest.fixture
def browser_tools() -> tuple[str, str]:
    return browser_or_skip()


def test_the_readme_snippet_follows_a_petition_from_another_origin_across_a_restart(
    browser_tools: tuple[str, str], lifecycle_database: str, lifecycle_tokens: Tokens
) -> None:
    node, chromium = browser_tools
    snippet = readme_snippet()
    assert snippet.count(SNIPPET_URL) == 1 and snippet.count(SNIPPET_CODE) == 1, snippet
    settings = workflow_settings(lifecycle_database)
    with ExitStack() as servers:
        server = servers.enter_context(RunningServer(settings))
        graphql = f"{server.url}/graphql"
        petition = Petition(Workflow(server, lifecycle_tokens))
        page_js = snippet.replace(SNIPPET_URL, graphql).replace(SNIPPET_CODE, petition.code)
        with PageServer(page_js) as page_server, chromium_driver(node, chromium) as browser:
            browser.command("open", page="a", url=f"{page_server.origin}/")
            # (a) The query: the page printed the petition it got.
            browser.wait_for(lambda: browser.console("a"), "the page's query result")
            assert browser.console("a")[0] == [petition.code, "SUBMITTED", None]
            browser.wait_for(
                lambda: browser.frames("a", "subscribe", kind="ws-sent"), "the subscription"
            )

            # (b) Live: the ASSIGN, then a restart, which closes the socket with 1012.
            petition.step(server, lifecycle_tokens, "assign")
            browser.wait_for(lambda: len(browser.console("a")) >= 2, "the ASSIGN event")
            server.stop()
            browser.wait_for(lambda: browser.where(kind="ws-close", page="a"), "the close")
            # While nothing listens on the page's port, a server on another port (and the
            # same database) takes two steps: the page can only learn of them by replay.
            side = servers.enter_context(RunningServer(settings))
            petition.step(side, lifecycle_tokens, "acknowledge")
            petition.step(side, lifecycle_tokens, "answer")
            side.stop()
            assert len(browser.frames("a", "connection_ack")) == 1, "reconnected too early"
            restarted = servers.enter_context(RunningServer(settings, port=server.port))
            browser.wait_for(lambda: len(browser.console("a")) >= 4, "the missed events", 45)
            petition.step(restarted, lifecycle_tokens, "rate")
            browser.wait_for(lambda: len(browser.console("a")) >= 5, "the RATE event")

            # A second page: the same query, its hash now known, is a GET of the hash alone.
            browser.command("open", page="b", url=f"{page_server.origin}/")
            browser.wait_for(lambda: browser.console("b"), "the second page's query result")
            sockets = browser.command("eval", page="a", expression="window.sockets")
        events = public_events(restarted, petition.code)

        # Nothing failed in the pages but refused reconnection attempts, if there were any.
        errors = [
            m["text"]
            for m in browser.where(kind="console", type="error")
            if not m["text"].startswith("WebSocket connection to")
        ]
        assert not errors, errors
        # Every event after the one the page began from, once each, in order.
        printed = browser.console("a")[1:]
        assert printed == [[e["action"], e["toStatus"], e["at"]] for e in events[1:]]
        assert [line[0] for line in printed] == ["ASSIGN", "ACKNOWLEDGE", "ANSWER", "RATE"]
        # graphql-ws retried the 1012 by itself and resubscribed from the first cursor, so
        # the replay repeated the ASSIGN, and the snippet dropped it.
        assert {s["url"] for s in sockets} == {graphql.replace("http://", "ws://")}
        assert sockets[0]["closeCode"] == 1012
        assert sockets[-1]["opened"] and sockets[-1]["closeCode"] is None
        assert len(browser.frames("a", "connection_ack")) == 2
        streamed = [f["payload"]["data"]["petitionEvents"] for f in browser.frames("a", "next")]
        assert [e["action"] for e in streamed] == [
            "ASSIGN",
            "ASSIGN",
            "ACKNOWLEDGE",
            "ANSWER",
            "RATE",
        ]

        # CORS: the browser asked before it sent JSON, and pakn let the page's origin read.
        preflights = [m for m in browser.requests("a", graphql) if m["method"] == "OPTIONS"]
        assert preflights, "the browser sent no CORS preflight"
        assert {m["headers"]["Origin"] for m in preflights} == {page_server.origin}
        answered = browser.responses("a", graphql) + browser.responses("b", graphql)
        assert {m["type"] for m in answered} >= {"Preflight", "Fetch"}
        assert all(m["status"] == 200 for m in answered), answered
        assert all(m["headers"]["access-control-allow-origin"] == "*" for m in answered)

        # Persisted queries: the first page's GET of the hash was refused as unknown, so it
        # POSTed the text once; the second page's GET of the hash alone was answered.
        fetches_a = [m for m in browser.requests("a", graphql) if m["method"] != "OPTIONS"]
        assert [m["method"] for m in fetches_a] == ["GET", "POST"]
        fetches_b = [m for m in browser.requests("b", graphql) if m["method"] != "OPTIONS"]
        assert [m["method"] for m in fetches_b] == ["GET"]
        sent = parse_qs(urlsplit(fetches_b[0]["url"]).query)
        assert "query" not in sent
        assert json.loads(sent["extensions"][0])["persistedQuery"]["version"] == 1
        assert browser.console("b")[0] == [petition.code, events[-1]["toStatus"], "Bộ Tài chính"]
