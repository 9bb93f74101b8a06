"""The page of the browser test (tests/clients/test_browser.py): the README's browser
snippet, and the origin on 127.0.0.2 that serves it to Chromium.

The block between `<!-- browser-snippet -->` and `<!-- /browser-snippet -->` in README.md
is served as a module by `PageServer` (another origin than pakn's 127.0.0.1), with an
import map that points its bare specifiers at the ESM files in node_modules; the test
substitutes only the server's URL (`SNIPPET_URL`) and the tracking code (`SNIPPET_CODE`).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
PAGE_HOST = "127.0.0.2"
SNIPPET_URL = "https://pakn.example.vn/graphql"
SNIPPET_CODE = "PAKN-2026-000123"
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
