"""The follow-and-resume scenario every stock client plays, and the clients' harnesses.

A client follows one petition live: it subscribes to `petitionEvents(trackingCode, after)`
from the petition's SUBMIT, receives the ASSIGN live, is disconnected (a server restart,
or the client's socket dropped), misses the ACKNOWLEDGE and the ANSWER, reconnects with
`after:` = the cursor of the ASSIGN, receives exactly those two, once each and in order,
then the RATE live, and nothing more.

A client is driven through `Follower`: the Node scripts (`tests/clients/node/*.mjs`)
through JSON lines on their stdin and stdout, Python's `gql` in this process. Both report
the same messages:
`{"state": ...}`, `{"sent": <variables of a subscribe>}`, `{"event": ...}`, `{"error": ...}`.
Every wait is bounded, so a broken client fails its test in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportClosed, TransportConnectionFailed
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed

from tests.support.server import RunningServer
from tests.support.workflow import Workflow

ROOT = Path(__file__).resolve().parents[2]
NODE_SCRIPTS = ROOT / "tests" / "clients" / "node"
WAIT = 10.0
"""Seconds any one expected message may take."""
QUIET = 0.5
"""Seconds after the last expected event in which no other may arrive."""

FOLLOW = """subscription Follow($code: String!, $after: String) {
  petitionEvents(trackingCode: $code, after: $after) { cursor action toStatus }
}"""


def node_or_skip() -> str:
    """The `node` executable, when it and the packages of package-lock.json are there;
    else skip the test, or fail it under CI=true (CI must run every client)."""
    node = shutil.which("node")
    missing = (
        "node is not on PATH"
        if node is None
        else "node_modules is missing (run `make node`)"
        if not (ROOT / "node_modules" / "graphql-ws").is_dir()
        else None
    )
    if missing is None:
        assert node is not None
        return node
    message = f"{missing}: the Node stock-client tests cannot run"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: they must)")
    pytest.skip(message)


@dataclass
class Live:
    """A server (restartable, on the test's database) and the officers who act on it."""

    server: RunningServer
    workflow: Workflow

    @property
    def ws_url(self) -> str:
        return self.server.url.replace("http://", "ws://") + "/graphql"

    async def wait_for_subscriptions(self, count: int) -> None:
        await asyncio.to_thread(self.server.wait_for_subscriptions, count, WAIT)


@dataclass
class Followed:
    """A petition under way: as the API last returned it, and what its petitioner knows."""

    petition: dict[str, Any]
    secret: str
    submit_cursor: str

    @property
    def code(self) -> str:
        return str(self.petition["trackingCode"])


async def submit(live: Live) -> Followed:
    submitted = await asyncio.to_thread(live.workflow.submit)
    events = await asyncio.to_thread(
        live.server.gql,
        "query($c: String!) { petition(trackingCode: $c) { events(first: 5) { "
        "edges { node { cursor action } } } } }",
        {"c": submitted["trackingCode"]},
    )
    [edge] = events["petition"]["events"]["edges"]
    assert edge["node"]["action"] == "SUBMIT"
    return Followed(submitted["petition"], submitted["secret"], edge["node"]["cursor"])


async def step(live: Live, followed: Followed, name: str) -> None:
    """One step of the petition's life (`Workflow.step`), by whoever takes it."""
    followed.petition = await asyncio.to_thread(
        live.workflow.step, name, followed.petition, followed.secret
    )


class Follower(Protocol):
    """A client following a petition; what it reported so far is `transcript`."""

    transcript: list[dict[str, Any]]

    async def message(self, within: float) -> dict[str, Any]: ...
    async def command(self, name: str) -> None: ...
    async def close(self) -> None: ...


@dataclass
class Reader:
    """Reads a follower's messages by kind, keeping events that arrive early for later."""

    follower: Follower
    early_events: deque[dict[str, Any]] = field(default_factory=deque)

    async def _next(self, within: float) -> dict[str, Any]:
        try:
            message = await self.follower.message(within)
        except TimeoutError:
            raise AssertionError(
                f"no message within {within} s; so far: {self.follower.transcript}"
            ) from None
        assert "error" not in message, f"{message['error']}\nso far: {self.follower.transcript}"
        return message

    async def state(self, name: str, within: float = WAIT) -> dict[str, Any]:
        while True:
            message = await self._next(within)
            if "event" in message:
                self.early_events.append(message["event"])
            elif message.get("state") == name:
                return message
            elif message.get("state") == "complete":
                raise AssertionError(
                    "the subscription completed, which clients take as the end for good; "
                    f"so far: {self.follower.transcript}"
                )

    async def event(self, within: float = WAIT) -> dict[str, Any]:
        if self.early_events:
            return self.early_events.popleft()
        while True:
            message = await self._next(within)
            if "event" in message:
                return message["event"]  # type: ignore[no-any-return]

    async def quiet(self, seconds: float = QUIET) -> list[dict[str, Any]]:
        """The events that arrive within `seconds` (there should be none)."""
        found = list(self.early_events)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                message = await self.follower.message(left)
            except TimeoutError:
                break
            if "event" in message or "error" in message:
                found.append(message)
        return found


async def follow_and_resume(
    live: Live, follower: Follower, petition: Followed, restart: bool
) -> None:
    """The scenario; `restart` makes the disconnection a server restart (every socket
    closed with 1012, a new server on the same port and database)."""
    read = Reader(follower)
    await read.state("connected")
    await live.wait_for_subscriptions(1)
    await step(live, petition, "assign")
    assign = await read.event()
    assert assign["action"] == "ASSIGN", assign

    if restart:
        await asyncio.to_thread(live.server.restart)
        closed = await read.state("closed")
        assert closed["code"] == 1012, closed
    else:
        await follower.command("disconnect")
        await read.state("closed")
        await live.wait_for_subscriptions(0)  # the server let go of the dropped subscription
    await step(live, petition, "acknowledge")
    await step(live, petition, "answer")

    await follower.command("resume")
    await read.state("connected")
    missed = [await read.event(), await read.event()]
    assert [e["action"] for e in missed] == ["ACKNOWLEDGE", "ANSWER"], missed
    await live.wait_for_subscriptions(1)
    await step(live, petition, "rate")
    rate = await read.event()
    assert rate["action"] == "RATE", rate
    assert await read.quiet() == [], "no event twice, nothing after the RATE"

    cursors = [e["cursor"] for e in (assign, *missed, rate)]
    assert len(set(cursors)) == 4, cursors
    sent = [m["sent"] for m in follower.transcript if "sent" in m]
    assert sent == [
        {"code": petition.code, "after": petition.submit_cursor},
        {"code": petition.code, "after": assign["cursor"]},
    ], "the client resubscribed from the cursor of the last event it received"


class NodeScript:
    """A Node client script (`node/<name>.mjs`) in a child process, spoken to in JSON
    lines. `async with` starts it and kills it, whatever happened."""

    def __init__(self, name: str, config: dict[str, Any]) -> None:
        self.node = node_or_skip()
        self.path = NODE_SCRIPTS / f"{name}.mjs"
        self.config = config
        self.transcript: list[dict[str, Any]] = []
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> NodeScript:
        self.process = await asyncio.create_subprocess_exec(
            self.node,
            str(self.path),
            orjson.dumps(self.config).decode(),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def message(self, within: float) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), within)
        if not line:
            raise AssertionError(
                f"{self.path.name} exited ({await self._exit_code()}); "
                f"stderr: {await self._stderr()}; so far: {self.transcript}"
            )
        message: dict[str, Any] = orjson.loads(line)
        self.transcript.append(message)
        return message

    async def result(self, within: float = 20) -> Any:
        """The one `{"result": ...}` a task script reports."""
        while True:
            message = await self.message(within)
            assert "error" not in message, f"{message['error']}\nso far: {self.transcript}"
            if "result" in message:
                return message["result"]

    async def command(self, name: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(orjson.dumps({"command": name}) + b"\n")
        await self.process.stdin.drain()

    async def close(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await asyncio.wait_for(process.wait(), 5)

    async def _exit_code(self) -> int | None:
        assert self.process is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), 2)
        return self.process.returncode

    async def _stderr(self) -> str:
        assert self.process is not None and self.process.stderr is not None
        with contextlib.suppress(TimeoutError):
            return (await asyncio.wait_for(self.process.stderr.read(), 2)).decode()
        return "?"


async def follow_with_node(
    live: Live, script: str, restart: bool, extra: dict[str, Any] | None = None
) -> None:
    node_or_skip()
    petition = await submit(live)
    config = {
        "httpUrl": live.server.url,
        "wsUrl": live.ws_url,
        "code": petition.code,
        "after": petition.submit_cursor,
        "watchdogMs": 45_000,
        **(extra or {}),
    }
    async with NodeScript(script, config) as client:
        await follow_and_resume(live, client, petition, restart)
        await client.command("stop")


def _close_code(error: BaseException) -> int | None:
    """The close code the server sent, from the exception chain gql raised."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ConnectionClosed) and cause.rcvd is not None:
            return cause.rcvd.code
        cause = cause.__cause__ or cause.__context__
    return None


class GqlFollower:
    """Python `gql`'s WebsocketsTransport following a petition, with the resume pattern:
    keep the cursor of the last event received and subscribe again with it as `after`.

    After a disconnection it waits for the test's "resume" before it reconnects."""

    def __init__(self, live: Live, petition: Followed, subprotocol: str) -> None:
        self.url = live.ws_url
        self.subprotocol = subprotocol
        self.variables: dict[str, Any] = {"code": petition.code, "after": petition.submit_cursor}
        self.transcript: list[dict[str, Any]] = []
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.resumed = asyncio.Event()
        self.transport: WebsocketsTransport | None = None
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> GqlFollower:
        self.task = asyncio.create_task(self._follow())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def _report(self, message: dict[str, Any]) -> None:
        self.transcript.append(message)
        self.messages.put_nowait(message)

    async def _follow(self) -> None:
        try:
            while True:
                await self._subscribe_once()
                self.resumed.clear()
                await self.resumed.wait()
        except Exception as exc:
            self._report({"error": repr(exc)})

    async def _subscribe_once(self) -> None:
        self.transport = WebsocketsTransport(
            url=self.url, subprotocols=[self.subprotocol], connect_timeout=5, ack_timeout=5
        )
        try:
            async with Client(transport=self.transport) as session:
                self._report({"state": "connected"})
                request = GraphQLRequest(FOLLOW, variable_values=dict(self.variables))
                self._report({"sent": dict(self.variables)})
                async for data in session.subscribe(request):
                    event = data["petitionEvents"]
                    self.variables["after"] = event["cursor"]
                    self._report({"event": event})
                self._report({"state": "complete"})
        except (TransportConnectionFailed, TransportClosed) as closed:
            self._report({"state": "closed", "code": _close_code(closed)})

    async def message(self, within: float) -> dict[str, Any]:
        return await asyncio.wait_for(self.messages.get(), within)

    async def command(self, name: str) -> None:
        if name == "resume":
            self.resumed.set()
        elif name == "disconnect":
            # The connection drops, as on a network failure (closing the transport would
            # end the subscription cleanly instead).
            assert self.transport is not None and self.transport.adapter.websocket is not None
            self.transport.adapter.websocket.transport.abort()
        else:
            raise AssertionError(f"unknown command {name}")

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, 5)
