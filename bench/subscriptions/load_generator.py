"""The load generator: every subscriber in one asyncio event loop of one process, driven
over a pipe by the benchmark (graphql-transport-ws: connection_init -> connection_ack ->
subscribe to the whole public feed). Each subscriber stamps every message with
`time.monotonic()` as soon as `recv()` returns it, before parsing."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson

from bench.common.processes import raise_open_files_limit
from bench.subscriptions.config import Config

SUBSCRIPTION = "subscription { petitionEvents { id cursor action petition { trackingCode } } }"


@dataclass
class Subscriber:
    index: int
    received: list[tuple[str, float]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    local_port: int = 0
    ended: str | None = None


class LoadGenerator:
    """All subscribers in one event loop; answers the driver's commands over a pipe."""

    def __init__(self, url: str, count: int, concurrency: int, compression: bool) -> None:
        self.url = url.replace("http://", "ws://") + "/graphql"
        self.count = count
        self.concurrency = concurrency
        self.compression = compression
        self.subscribers = [Subscriber(i) for i in range(count)]
        self.connections: list[Any] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.arrivals: Counter[str] = Counter()  # subscribers that received each code
        self.failures: list[str] = []

    async def _open(self, subscriber: Subscriber, gate: asyncio.Semaphore) -> None:
        from websockets.asyncio.client import connect

        async with gate:
            try:
                ws = await connect(
                    self.url,
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                    compression="deflate" if self.compression else None,
                    open_timeout=60,
                    ping_interval=None,
                    close_timeout=5,
                )
                await ws.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
                while True:
                    ack = orjson.loads(await asyncio.wait_for(ws.recv(), 60))
                    if ack["type"] not in {"ping", "pong"}:
                        break
                if ack["type"] != "connection_ack":
                    raise RuntimeError(f"no connection_ack: {ack}")
                subscribe = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}
                await ws.send(orjson.dumps(subscribe).decode())
            except Exception as error:
                self.failures.append(f"subscriber {subscriber.index}: {error!r}")
                return
        subscriber.local_port = ws.local_address[1]
        self.connections.append(ws)
        self.tasks.append(asyncio.create_task(self._read(subscriber, ws)))

    async def _read(self, subscriber: Subscriber, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            while True:
                raw = await ws.recv()
                at = time.monotonic()
                message = orjson.loads(raw)
                kind = message.get("type")
                if kind == "next":
                    payload = message["payload"]
                    if payload.get("errors"):
                        self.failures.append(f"subscriber {subscriber.index}: {payload}")
                        continue
                    code = payload["data"]["petitionEvents"]["petition"]["trackingCode"]
                    subscriber.received.append((code, at))
                    if code not in subscriber.seen:
                        subscriber.seen.add(code)
                        self.arrivals[code] += 1
                elif kind == "ping":
                    await ws.send('{"type":"pong"}')
                elif kind in {"error", "complete"}:
                    subscriber.ended = f"{kind}: {message}"
                    self.failures.append(f"subscriber {subscriber.index}: {message}")
                    return
        except ConnectionClosed as closed:
            if subscriber.ended is None:
                subscriber.ended = f"closed: {closed!r}"

    async def _wait(self, codes: list[str], mode: str, seconds: float) -> int:
        """Subscribers that got any (mode "any") or all (mode "all") of `codes`."""
        live = [s for s in self.subscribers if s.local_port]
        end = time.monotonic() + seconds
        while True:
            if mode == "all":
                done = min((self.arrivals[code] for code in codes), default=len(live))
            else:
                wanted = set(codes)
                done = sum(1 for s in live if not wanted.isdisjoint(s.seen))
            if done >= len(live) or time.monotonic() >= end:
                return done
            await asyncio.sleep(0.05)

    async def _close(self) -> float:
        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(*(ws.close() for ws in self.connections), return_exceptions=True), 30
        )
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        return time.monotonic() - started

    async def run(self, pipe: Connection) -> None:
        raise_open_files_limit(self.count + 256)
        started = time.monotonic()
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self._open(s, gate) for s in self.subscribers))
        pipe.send(
            {
                "connected": len(self.connections),
                "connect_seconds": time.monotonic() - started,
                "failures": self.failures[:20],
                "ports": [s.local_port for s in self.subscribers],
            }
        )
        while True:
            command = await asyncio.to_thread(pipe.recv)
            if command["op"] == "wait":
                done = await self._wait(command["codes"], command["mode"], command["timeout"])
                pipe.send({"done": done})
            elif command["op"] == "finish":
                close_seconds = await self._close()
                pipe.send(
                    {
                        "received": [s.received for s in self.subscribers],
                        "ports": [s.local_port for s in self.subscribers],
                        "ended": [s.ended for s in self.subscribers if s.ended],
                        "failures": self.failures[:20],
                        "failure_count": len(self.failures),
                        "close_seconds": close_seconds,
                    }
                )
                return


def load_generator_main(
    pipe: Connection, url: str, count: int, concurrency: int, compression: bool, use_uvloop: bool
) -> None:
    """The load-generator process's entry point."""
    generator = LoadGenerator(url, count, concurrency, compression)
    if use_uvloop:
        import uvloop

        uvloop.run(generator.run(pipe))
    else:
        asyncio.run(generator.run(pipe))
    pipe.close()


class LoadGeneratorProcess:
    """The load generator in a process of its own (spawned: no state copied from this one),
    and the driver's side of its pipe."""

    def __init__(self, config: Config, url: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(
            target=load_generator_main,
            args=(
                child,
                url,
                config.subscribers,
                config.connect_concurrency,
                config.compression,
                config.uvloop,
            ),
            name="pakn-bench-subscribers",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.connected = 0

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def receive(self, timeout: float) -> dict[str, Any]:
        if not self.pipe.poll(timeout):
            raise TimeoutError("the load generator did not answer in time")
        return self.pipe.recv()  # type: ignore[no-any-return]

    def wait(self, codes: list[str], mode: str, timeout: float) -> int:
        self.pipe.send({"op": "wait", "codes": codes, "mode": mode, "timeout": timeout})
        return int(self.receive(timeout + 10)["done"])

    def finish(self, timeout: float = 60) -> dict[str, Any]:
        self.pipe.send({"op": "finish"})
        return self.receive(timeout)

    def stop(self) -> None:
        self.pipe.close()  # a load generator still waiting for a command ends on EOF
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
