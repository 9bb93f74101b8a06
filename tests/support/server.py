"""A real pakn server for tests: uvicorn on a free loopback port, in a background thread.

It runs in the test process so that a test can count the SQL statements a request sends
(through the app's own engine), while every request still crosses a real socket.

`with RunningServer(settings) as server:` (or `async with` in an async test) starts it and
stops it however the block ends.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

import httpx
from sqlalchemy import event

from app.main import create_app, starlette_app
from app.services.feed import FEED_TASK
from app.settings import Settings
from app.web.serving import PaknServer, uvicorn_config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class StatementLog:
    """The statements the server's requests run. The event feed's own reads are left out:
    on PostgreSQL the listener wakes the feed whenever it connects, at a moment no test
    chooses, and a count of a request's statements must not depend on it."""

    statements: list[str] = field(default_factory=list)

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        task = asyncio.current_task()
        if task is not None and task.get_name() == FEED_TASK:
            return
        self.statements.append(statement)

    def clear(self) -> None:
        self.statements.clear()


class HttpServer:
    """A pakn server reached over HTTP at `url`, with GraphQL helpers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(base_url=url, timeout=30)

    def post(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, **kwargs
        )

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a query that must succeed; return its data."""
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        return payload["data"]  # type: ignore[no-any-return]

    def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a query that must be refused; return its errors (never a 5xx)."""
        response = self.post(query, variables)
        assert response.status_code < 500, response.text
        payload = response.json()
        assert payload.get("errors"), payload
        return payload["errors"]  # type: ignore[no-any-return]

    def error_codes(self, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        return [e["extensions"]["code"] for e in self.errors(query, variables)]

    def pages(
        self, query: str, variables: dict[str, Any] | None = None, *, connection: str = "petitions"
    ) -> Iterator[dict[str, Any]]:
        """Each page of `connection`, first to last: `query` takes `$after` and selects
        `pageInfo { hasNextPage endCursor }`."""
        after = None
        while True:
            page = self.gql(query, {**(variables or {}), "after": after})[connection]
            yield page
            if not page["pageInfo"]["hasNextPage"]:
                return
            after = page["pageInfo"]["endCursor"]

    def nodes(
        self, query: str, variables: dict[str, Any] | None = None, *, connection: str = "petitions"
    ) -> list[dict[str, Any]]:
        """Every node of `connection`, page after page (see `pages`)."""
        return [
            edge["node"]
            for page in self.pages(query, variables, connection=connection)
            for edge in page["edges"]
        ]


class RunningServer(HttpServer):
    """A pakn server in this process. `restart()` stops it (every socket closed with 1012)
    and starts a new application on the same port and database, as a deployment does.

    A context manager, plain or async: the block runs while it serves, and it is stopped
    however the block ends (`stop()` may come earlier; a second one does nothing).

    Its background jobs are off unless `background` is given: the contact purge's first run
    at start would write CONTACT_ERASED events into databases that tests share and read
    (tests/services/test_background.py runs them). Nor does it deliver webhooks, send
    e-mails or run the overdue clock then: those tests run them with a clock of their own
    (tests/services/test_webhooks.py, test_email.py, test_overdue_clock.py), nor sign the
    transparency log's checkpoints (tests issue them: `db.log_checkpoints.issue`)."""

    def __init__(
        self, settings: Settings, port: int | None = None, *, background: bool = False
    ) -> None:
        if not background:
            settings = replace(
                settings,
                contact_retention_days=0,
                webhook_delivery=False,
                email_delivery=False,
                overdue_clock=False,
                log_checkpoints=False,
            )
        self.settings = settings
        self.port = port or free_port()
        super().__init__(f"http://127.0.0.1:{self.port}")
        self._build()

    def _build(self) -> None:
        self.app = create_app(self.settings)
        self.starlette = starlette_app(self.app)
        self.engine = self.starlette.state.engine
        self.log = StatementLog()
        event.listen(self.engine.sync_engine, "before_cursor_execute", self.log.record)
        # the configuration `pakn serve` uses: no proxy trust but the application's own
        config = uvicorn_config(
            self.app,
            "127.0.0.1",
            self.port,
            max_body_bytes=self.settings.max_body_bytes,
            log_level="warning",
            lifespan="on",
        )
        self.server = PaknServer(config)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    def start(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("pakn test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.client.close()
        self.server.should_exit = True
        if self.thread.ident is not None:
            self.thread.join(timeout=20)

    def __enter__(self) -> RunningServer:
        return self.start()

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> RunningServer:
        """Started in a worker thread: the test's event loop keeps running meanwhile."""
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    def restart(self) -> RunningServer:
        self.stop()
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self._build()
        return self.start()

    def subscriptions(self) -> int:
        """Subscriptions the server's event feed is serving now (read across threads: a
        test waits on it, instead of sleeping, before it writes what must arrive live)."""
        return len(self.starlette.state.feed._subscribers)

    def wait_for_subscriptions(self, count: int, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while self.subscriptions() < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.subscriptions()} subscriptions after {seconds} s, expected {count}"
                )
            time.sleep(0.01)


def _view(server: RunningServer) -> Any:
    for route in server.starlette.routes:
        if getattr(route, "path", None) == "/graphql" and hasattr(route, "endpoint"):
            return route.endpoint
    raise AssertionError("no GraphQL route")


def compiled_answers(server: RunningServer) -> int:
    """Requests the server's compiled path has answered (`schema.fastpath`)."""
    return _view(server).compiled.answered  # type: ignore[no-any-return]
