"""Live-subscription delivery: latency and worker memory with many WebSocket subscribers.

Run it from the project root:

    .venv/bin/python bench/subscribers.py              # 1,000 subscribers, 100 events
    .venv/bin/python bench/subscribers.py --quick      # 200 subscribers, 30 events

Method
------
1. A fresh PostgreSQL database `pakn_bench_subs_<timestamp>` is created on 127.0.0.1:5432;
   `pakn serve --workers N` runs on it as a subprocess on a free loopback port. The
   benchmark waits for /health and for every worker's LISTEN connection (so that each
   worker has finished starting), sends a few submissions over fresh connections to warm
   the workers up, and then reads each worker's idle RSS (VmRSS in /proc/<pid>/status).
2. ONE load-generator process (multiprocessing, spawn) opens every subscriber in a single
   asyncio event loop with `websockets` (graphql-transport-ws: connection_init ->
   connection_ack -> subscribe to the whole public feed). Each subscriber stamps every
   message with `time.monotonic()` as soon as `recv()` returns it, before parsing.
3. Warm-up: this (the driving) process submits a petition and waits until every subscriber
   has received it, repeating if some subscriptions were not registered yet.
4. Measurement: `--events` submissions, one at a time over one keep-alive HTTP connection,
   each `--interval` seconds after the previous response. The driver records
   `time.monotonic()` when each HTTP response has arrived. CLOCK_MONOTONIC is system-wide
   on Linux, so the two processes' stamps compare directly.
   Latency of a (subscriber, event) pair = receive time - response time. It can be
   slightly negative when the event beats the HTTP response; it is reported as is.
   Missing deliveries and duplicates are counted per (subscriber, event) pair.
5. A sampler thread reads every worker's RSS every 0.1 s from before the subscribers
   connect to the end; the report gives idle, connected and peak RSS per worker, VmHWM,
   and the increment per subscriber ((peak - idle) / subscribers on that worker). Which
   worker holds which subscriber is read from /proc/net/tcp and the workers' socket fds.
   CPU time (utime + stime) of the workers, the load generator and PostgreSQL over the
   measured phase tells who was busy.
6. The load generator closes its connections, the server gets SIGTERM (then SIGKILL after
   30 s) and the database is dropped, also when something fails. Every wait has a
   timeout and the whole run a time limit (`--time-limit`, 200 s by default). Since the
   machine may be shared, the run first waits up to `--wait-quiet` (30 s) for it to be idle
   and records how busy it was before and during the run.

Results are printed as a table and written to bench/results/subscribers-<timestamp>.json;
the server's log goes to bench/results/subscribers-<timestamp>.log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
LISTENER_APPLICATION_NAME = "pakn-listener"  # app/pg_listener.py

SUBSCRIPTION = "subscription { petitionEvents { id cursor action petition { trackingCode } } }"
SUBMIT = (
    "mutation($input: SubmitPetitionInput!) { submitPetition(input: $input) "
    "{ trackingCode userErrors { field code message } } }"
)
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def submission_input() -> dict[str, Any]:
    """A valid public submission (as in tests/support/workflow.py); no token needed."""
    return {
        "channel": "CITIZEN",
        "kind": "REFLECTION",
        "subject": "ADMINISTRATIVE_PROCEDURE",
        "title": "Thủ tục cấp giấy chứng nhận quyền sử dụng đất quá chậm",
        "body": "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ ba tháng trước "
        "nhưng đến nay vẫn chưa có kết quả, cán bộ không giải thích lý do.",
        "fieldCode": "DAT_DAI",
        "provinceCode": "01",
        "petitioner": {
            "fullName": "Nguyễn Thị Hoa",
            "email": "hoa.nguyen@example.vn",
            "phone": "0912345678",
            "address": "12 Phố Huế, Hà Nội",
        },
    }


# --- configuration ---------------------------------------------------------


@dataclass(frozen=True)
class Config:
    subscribers: int
    events: int
    workers: int
    interval: float
    connect_concurrency: int
    compression: bool
    uvloop: bool
    time_limit: float
    drain_timeout: float
    wait_quiet: float
    keep_database: bool


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        description="Live-subscription delivery latency and worker RSS on PostgreSQL."
    )
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--interval", type=float, default=0.05, help="seconds between a response and the next"
    )
    parser.add_argument("--quick", action="store_true", help="200 subscribers, 30 events")
    parser.add_argument(
        "--connect-concurrency", type=int, default=50, help="WebSocket handshakes in flight"
    )
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="do not offer permessage-deflate (browsers offer it; the default does too)",
    )
    parser.add_argument(
        "--uvloop", action="store_true", help="run the load generator's loop on uvloop"
    )
    parser.add_argument("--time-limit", type=float, default=200.0, help="seconds for one run")
    parser.add_argument(
        "--drain-timeout", type=float, default=20.0, help="seconds to wait for late deliveries"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=30.0,
        help="seconds to wait at most for the (shared) machine to be idle before starting",
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)
    if args.quick:
        args.subscribers, args.events = 200, 30
    if not 1 <= args.subscribers <= 10_000 or not 1 <= args.events <= 10_000:
        parser.error("--subscribers and --events must be between 1 and 10000")
    if args.workers < 1 or args.interval < 0:
        parser.error("--workers must be >= 1 and --interval >= 0")
    return Config(
        subscribers=args.subscribers,
        events=args.events,
        workers=args.workers,
        interval=args.interval,
        connect_concurrency=args.connect_concurrency,
        compression=not args.no_compression,
        uvloop=args.uvloop,
        time_limit=args.time_limit,
        drain_timeout=args.drain_timeout,
        wait_quiet=args.wait_quiet,
        keep_database=args.keep_database,
    )


class Deadline:
    """The run's time limit: every wait is capped by what remains of it."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self, cap: float | None = None) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the benchmark ran out of its --time-limit")
        return left if cap is None else min(left, cap)


def raise_open_files_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


# --- /proc -----------------------------------------------------------------


def proc_status_kib(pid: int, key: str) -> int | None:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = _proc_stat_cpu()
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def machine_interrupts() -> float:
    """irq + softirq jiffies (loopback networking is mostly softirq), from /proc/stat."""
    values = _proc_stat_cpu()
    return float(values[5] + values[6])


def _proc_stat_cpu() -> list[int]:
    with open("/proc/stat") as stat:
        return [int(v) for v in stat.readline().split()[1:]]


def child_pids(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if ppid == parent:
            found.append(int(entry))
    return sorted(found)


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as raw:
            return raw.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(int(target[8:-1]))
    return inodes


def established_tcp() -> list[tuple[int, int, int]]:
    """(local port, remote port, inode) of every established IPv4 TCP socket."""
    found = []
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            parts = line.split()
            if parts[3] != "01":
                continue
            local_port = int(parts[1].split(":")[1], 16)
            remote_port = int(parts[2].split(":")[1], 16)
            found.append((local_port, remote_port, int(parts[9])))
    return found


def worker_of_client_port(server_port: int, workers: list[int]) -> dict[int, int]:
    """Client port -> the worker pid holding the server side of that connection."""
    owner = {inode: pid for pid in workers for inode in socket_inodes(pid)}
    return {
        remote: owner[inode]
        for local, remote, inode in established_tcp()
        if local == server_port and inode in owner
    }


def own_client_ports(server_port: int) -> set[int]:
    """Local ports of this process's connections to the server."""
    mine = socket_inodes(os.getpid())
    return {
        local
        for local, remote, inode in established_tcp()
        if remote == server_port and inode in mine
    }


class RssSampler(threading.Thread):
    """Reads VmRSS of some processes every `period` seconds; keeps each one's peak."""

    def __init__(self, pids: Iterable[int], period: float = 0.1) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.pids = list(pids)
        self.period = period
        self.peak: dict[int, int] = {}
        self.timeline: list[tuple[float, dict[int, int]]] = []
        self._halt = threading.Event()

    def add(self, pid: int) -> None:
        self.pids = [*self.pids, pid]

    def run(self) -> None:
        while not self._halt.is_set():
            sample = {}
            for pid in self.pids:
                rss = proc_status_kib(pid, "VmRSS")
                if rss is not None:
                    sample[pid] = rss
                    self.peak[pid] = max(rss, self.peak.get(pid, 0))
            self.timeline.append((time.monotonic(), sample))
            self._halt.wait(self.period)

    def at(self, moment: float) -> dict[int, int]:
        """The last sample taken at or before `moment`."""
        found: dict[int, int] = {}
        for taken, sample in self.timeline:
            if taken > moment:
                break
            found = sample
        return found

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(timeout=2)


# --- the database ----------------------------------------------------------


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=10
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_database(name: str) -> str:
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _backend_pids(name: str) -> list[int]:
    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=10
    )
    try:
        rows = await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
        return [int(row["pid"]) for row in rows]
    finally:
        await connection.close()


async def _listeners(name: str) -> int:
    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=name, timeout=10
    )
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = $1 AND datname = current_database()",
                LISTENER_APPLICATION_NAME,
            )
        )
    finally:
        await connection.close()


# --- the server ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`pakn serve --workers N` as a subprocess, its log in a file."""

    def __init__(self, database_url: str, database: str, workers: int, log_path: Path) -> None:
        self.database = database
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.worker_pids: list[int] = []
        self.env = {
            **os.environ,
            "PAKN_DATABASE_URL": database_url,
            "PAKN_SUBMISSIONS_PER_HOUR": "1000000",
            "PAKN_SECRET_KEY": "bench-subscribers",
            "PYTHONUNBUFFERED": "1",
        }

    def start(self) -> None:
        pakn = Path(sys.executable).with_name("pakn")
        command = [str(pakn)] if pakn.exists() else [sys.executable, "-m", "app.cli"]
        command += ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, deadline: Deadline, seconds: float = 90) -> None:
        """/health answers and every worker has its LISTEN connection (finished starting)."""
        assert self.process is not None
        end = time.monotonic() + deadline.remaining(seconds)
        healthy = False
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"pakn serve exited ({self.process.returncode}); see log")
            if not healthy:
                with contextlib.suppress(httpx.HTTPError):
                    healthy = httpx.get(f"{self.url}/health", timeout=2).status_code == 200
            if healthy:
                self.worker_pids = [
                    pid for pid in child_pids(self.process.pid) if "spawn_main" in cmdline(pid)
                ] or [self.process.pid]
                listening = asyncio.run(_listeners(self.database))
                if len(self.worker_pids) == self.workers and listening >= self.workers:
                    return
            time.sleep(0.2)
        raise TimeoutError("pakn serve did not become ready")

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for pid in self.worker_pids:  # orphans, if the supervisor had to be killed
            if pid != self.process.pid and proc_status_kib(pid, "VmRSS") is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return self.process.returncode

    def log_summary(self, limit: int = 12) -> dict[str, Any]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        lines = text.splitlines()
        notable = [
            line
            for line in lines
            if any(word in line for word in ("ERROR", "Traceback", "WARNING", "Exception"))
            and "GET /health" not in line
        ]
        return {
            "lines": len(lines),
            "errors": sum("ERROR" in line or "Traceback" in line for line in lines),
            "warnings": sum("WARNING" in line for line in lines),
            "notable": list(dict.fromkeys(notable))[:limit],
        }


def submit(client: httpx.Client, url: str) -> tuple[str, float, float]:
    """One submission: (tracking code, sent at, response arrived at), monotonic seconds."""
    sent = time.monotonic()
    response = client.post(
        f"{url}/graphql", json={"query": SUBMIT, "variables": {"input": submission_input()}}
    )
    arrived = time.monotonic()
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"submitPetition failed: {body['errors']}")
    payload = body["data"]["submitPetition"]
    if payload["userErrors"]:
        raise RuntimeError(f"submitPetition refused: {payload['userErrors']}")
    return payload["trackingCode"], sent, arrived


# --- the load generator ----------------------------------------------------


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


# --- analysis --------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(values: Iterable[float]) -> dict[str, float]:
    ordered = sorted(v * 1000 for v in values)
    return {
        "n": len(ordered),
        "p50": percentile(ordered, 50),
        "p90": percentile(ordered, 90),
        "p99": percentile(ordered, 99),
        "max": ordered[-1] if ordered else math.nan,
        "min": ordered[0] if ordered else math.nan,
    }


def analyse(
    responses: dict[str, float],
    received: list[list[tuple[str, float]]],
    connected: list[bool],
    worker_of_subscriber: list[int | None],
) -> dict[str, Any]:
    """Latency over all (subscriber, event) pairs; missing and duplicate deliveries."""
    latencies: list[float] = []
    by_worker: dict[str, list[float]] = defaultdict(list)
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    missing = duplicates = 0
    for index, events in enumerate(received):
        if not connected[index]:
            continue
        counts = Counter(code for code, _ in events if code in responses)
        missing += sum(1 for code in responses if counts[code] == 0)
        duplicates += sum(n - 1 for n in counts.values() if n > 1)
        seen: set[str] = set()
        for code, at in events:
            if code not in responses or code in seen:
                continue
            seen.add(code)
            latency = at - responses[code]
            latencies.append(latency)
            by_worker[str(worker_of_subscriber[index])].append(latency)
            first[code] = min(first.get(code, at), at)
            last[code] = max(last.get(code, at), at)
    per_event: dict[str, list[float]] = defaultdict(list)
    for index, events in enumerate(received):
        seen_here: set[str] = set()
        for code, at in events:
            if code in responses and code not in seen_here and connected[index]:
                seen_here.add(code)
                per_event[code].append(at - responses[code])
    events_table = []
    for number, code in enumerate(sorted(responses, key=responses.__getitem__)):
        values = sorted(per_event.get(code, []))
        events_table.append(
            {
                "n": number,
                "code": code,
                "deliveries": len(values),
                "first_ms": values[0] * 1000 if values else None,
                "p50_ms": percentile(values, 50) * 1000 if values else None,
                "last_ms": values[-1] * 1000 if values else None,
            }
        )
    return {
        "events": events_table,
        "latency_ms": summary_ms(latencies),
        "latency_ms_by_worker": {pid: summary_ms(v) for pid, v in sorted(by_worker.items())},
        "first_delivery_ms": summary_ms(first[c] - responses[c] for c in first),
        "fanout_spread_ms": summary_ms(last[c] - first[c] for c in first),
        "missing": missing,
        "duplicates": duplicates,
    }


# --- the run ---------------------------------------------------------------


def warm_up_workers(url: str, count: int = 10) -> None:
    """A few submissions over fresh connections, so that both workers have run a mutation."""
    for _ in range(count):
        with httpx.Client(timeout=30) as client:
            submit(client, url)


def warm_up_subscribers(
    client: httpx.Client, url: str, generator: LoadGeneratorProcess, deadline: Deadline
) -> int:
    """Submit until every subscriber received a warm-up event; returns submissions made."""
    codes: list[str] = []
    while True:
        codes.append(submit(client, url)[0])
        connected = generator.wait(codes, "any", deadline.remaining(5))
        if connected >= generator.connected:
            return len(codes)
        if len(codes) >= 10:
            raise RuntimeError(f"only {connected} subscribers received a warm-up event")


def run(config: Config) -> dict[str, Any]:
    busy_before = wait_until_quiet(config.wait_quiet)
    deadline = Deadline(config.time_limit)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    database = f"pakn_bench_subs_{stamp.replace('-', '_')}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    log_path = RESULTS / f"subscribers-{stamp}.log"
    raise_open_files_limit(2 * config.subscribers + 1024)  # inherited by the workers

    started = time.monotonic()
    result: dict[str, Any] = {
        "benchmark": "subscribers",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": asdict(config),
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "load_generator": "same machine, one process, one event loop",
        },
        "source": source_version(),
        "database": database,
        "server_log": str(log_path.relative_to(ROOT)),
    }
    result["machine"]["busy_cores_before_run"] = busy_before
    database_url = create_database(database)
    server = Server(database_url, database, config.workers, log_path)
    generator: LoadGeneratorProcess | None = None
    sampler: RssSampler | None = None
    try:
        server.start()
        server.wait_ready(deadline)
        workers = server.worker_pids
        result["startup_seconds"] = time.monotonic() - started
        warm_up_workers(server.url)
        time.sleep(1.0)
        idle = {pid: proc_status_kib(pid, "VmRSS") or 0 for pid in workers}

        sampler = RssSampler(workers)
        sampler.start()
        generator = LoadGeneratorProcess(config, server.url)
        sampler.add(generator.pid)
        ready = generator.receive(deadline.remaining(120))
        generator.connected = ready["connected"]
        result["connect"] = {
            "connected": ready["connected"],
            "seconds": ready["connect_seconds"],
            "failures": ready["failures"],
        }
        ports = ready["ports"]
        placement = worker_of_client_port(server.port, workers)
        time.sleep(0.5)
        connected_rss = {pid: proc_status_kib(pid, "VmRSS") or 0 for pid in workers}

        with httpx.Client(timeout=30) as client:
            result["warm_up_submissions"] = warm_up_subscribers(
                client, server.url, generator, deadline
            )
            now_placed = worker_of_client_port(server.port, workers)
            writer = next(
                (now_placed[p] for p in own_client_ports(server.port) if p in now_placed), None
            )
            backends = asyncio.run(_backend_pids(database))
            cpu_before = _cpu_snapshot(workers, generator.pid, backends)
            measured_started = time.monotonic()
            responses: dict[str, float] = {}
            round_trips: list[float] = []
            for _ in range(config.events):
                deadline.remaining()
                code, sent, arrived = submit(client, server.url)
                responses[code] = arrived
                round_trips.append(arrived - sent)
                if config.interval:
                    time.sleep(config.interval)
            submit_seconds = time.monotonic() - measured_started
        delivered = generator.wait(list(responses), "all", deadline.remaining(config.drain_timeout))
        cpu_after = _cpu_snapshot(workers, generator.pid, backends)
        measured_seconds = time.monotonic() - measured_started
        peak = dict(sampler.peak)
        hwm = {pid: proc_status_kib(pid, "VmHWM") or 0 for pid in workers}
        sampler.stop()
        rss_events = {
            "before_events": sampler.at(measured_started),
            "after_half": sampler.at(measured_started + submit_seconds / 2),
            "after_events": sampler.at(time.monotonic()),
        }

        finished = generator.finish(deadline.remaining(60))
        subscriber_worker = [placement.get(port) for port in finished["ports"]]
        connected_flags = [port != 0 for port in finished["ports"]]
        result["delivery"] = analyse(
            responses, finished["received"], connected_flags, subscriber_worker
        )
        result["delivery"]["subscribers_with_every_event"] = delivered
        result["delivery"]["submit_round_trip_ms"] = summary_ms(round_trips)
        result["delivery"]["submissions_per_second"] = config.events / submit_seconds
        result["load_generator"] = {
            "pid": generator.pid,
            "rss_peak_kib": peak.get(generator.pid),
            "failures": finished["failures"],
            "failure_count": finished["failure_count"],
            "ended_early": finished["ended"][:10],
            "close_seconds": finished["close_seconds"],
        }
        split = Counter(placement.get(port) for port in ports if port)
        result["workers"] = [
            _worker_report(pid, idle, connected_rss, peak, hwm, split, config, pid == writer)
            | {f"rss_{name}_kib": sample.get(pid) for name, sample in rss_events.items()}
            for pid in workers
        ]
        result["cpu"] = _cpu_report(cpu_before, cpu_after, measured_seconds, workers, generator)
        worker_cpu = sum(result["cpu"]["workers"].values()) * measured_seconds
        deliveries = result["delivery"]["latency_ms"]["n"]
        result["cpu"]["worker_ms_per_delivery"] = worker_cpu * 1000 / max(deliveries, 1)
    finally:
        clean_up(result, config, database, server, generator, sampler)
        result["total_seconds"] = time.monotonic() - started
    path = RESULTS / f"subscribers-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    result["results_file"] = str(path.relative_to(ROOT))
    return result


def clean_up(
    result: dict[str, Any],
    config: Config,
    database: str,
    server: Server,
    generator: LoadGeneratorProcess | None,
    sampler: RssSampler | None,
) -> None:
    """Stop everything this run started and drop its database; one failure stops nothing else."""
    steps: list[tuple[str, Any]] = []
    if sampler is not None:
        steps.append(("RSS sampler", sampler.stop))
    if generator is not None:
        steps.append(("load generator", generator.stop))
    steps.append(("server", lambda: result.__setitem__("server_exit_code", server.stop())))
    steps.append(
        ("server log", lambda: result.__setitem__("server_log_summary", server.log_summary()))
    )
    if config.keep_database:
        print(f"kept database {database}", file=sys.stderr)
    else:
        steps.append(("database", lambda: drop_database(database)))
    for name, step in steps:
        try:
            step()
        except Exception as error:
            print(f"clean-up of the {name} failed: {error!r}", file=sys.stderr)


def source_version() -> dict[str, Any]:
    """The commit under test, and whether the server's code differs from it (read only)."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "app", "resolvers", "schema", "db")
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted": changed.splitlines()}


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def background_cpu(seconds: float = 1.0) -> float:
    """Cores busy on this machine over `seconds` (before the run: other people's work)."""
    busy, total = machine_cpu()
    time.sleep(seconds)
    busy_after, total_after = machine_cpu()
    return (busy_after - busy) / max(total_after - total, 1) * (os.cpu_count() or 1)


def wait_until_quiet(limit: float, threshold: float = 0.3, quiet_seconds: int = 3) -> float:
    """Wait up to `limit` s for `quiet_seconds` one-second windows under `threshold` busy
    cores (the machine is shared); returns the mean busy cores of the last windows."""
    end = time.monotonic() + limit
    windows: list[float] = []
    while True:
        windows.append(background_cpu())
        last = windows[-quiet_seconds:]
        if len(last) == quiet_seconds and max(last) < threshold:
            break
        if time.monotonic() >= end:
            print(f"the machine is busy ({last[-1]:.2f} cores); running anyway", file=sys.stderr)
            break
    return sum(last) / len(last)


def _cpu_snapshot(workers: list[int], generator: int, backends: list[int]) -> dict[str, float]:
    snapshot = {str(pid): cpu_seconds(pid) or 0.0 for pid in [*workers, generator]}
    snapshot["postgres_ours"] = sum(cpu_seconds(pid) or 0.0 for pid in backends)
    snapshot["driver"] = sum(os.times()[:2])
    busy, total = machine_cpu()
    snapshot["machine_busy"], snapshot["machine_total"] = busy, total
    snapshot["interrupts"] = machine_interrupts()
    return snapshot


def _cpu_report(
    before: dict[str, float],
    after: dict[str, float],
    seconds: float,
    workers: list[int],
    generator: LoadGeneratorProcess,
) -> dict[str, Any]:
    """Share of one core each used over the measured phase (1.0 = one core busy)."""

    def share(key: str) -> float:
        return (after[key] - before[key]) / seconds

    machine = (after["machine_busy"] - before["machine_busy"]) / max(
        after["machine_total"] - before["machine_total"], 1
    )
    cores = os.cpu_count() or 1
    jiffies = max(after["machine_total"] - before["machine_total"], 1)
    interrupts = (after["interrupts"] - before["interrupts"]) / jiffies * cores
    ours = sum(share(str(pid)) for pid in workers) + share(str(generator.pid))
    ours += share("postgres_ours") + share("driver") + interrupts
    return {
        "seconds": seconds,
        "workers": {str(pid): share(str(pid)) for pid in workers},
        "load_generator": share(str(generator.pid)),
        "postgres_this_database": share("postgres_ours"),
        "driver": share("driver"),
        "interrupts_cores": interrupts,
        "machine_busy_fraction": machine,
        "others_cores": machine * cores - ours,
    }


def _worker_report(
    pid: int,
    idle: dict[int, int],
    connected: dict[int, int],
    peak: dict[int, int],
    hwm: dict[int, int],
    split: Counter[int | None],
    config: Config,
    writer: bool,
) -> dict[str, Any]:
    subscribers = split.get(pid) if split and None not in split else None
    divisor = subscribers or config.subscribers / config.workers
    top = max(peak.get(pid, 0), connected.get(pid, 0))
    return {
        "pid": pid,
        "subscribers": subscribers,
        "handled_mutations": writer,
        "rss_idle_kib": idle[pid],
        "rss_connected_kib": connected[pid],
        "rss_peak_kib": top,
        "vm_hwm_kib": hwm[pid],
        "kib_per_subscriber": (top - idle[pid]) / divisor if divisor else None,
    }


# --- reporting -------------------------------------------------------------


def print_report(result: dict[str, Any]) -> None:
    config = result["config"]
    delivery = result["delivery"]
    print()
    print(
        f"pakn subscriptions: {result['connect']['connected']}/{config['subscribers']} "
        f"subscribers, {config['events']} events, {config['workers']} workers, "
        f"interval {config['interval']} s ({result['machine']['cpus']} CPUs, {result['date']}, "
        f"commit {result['source']['commit']}"
        f"{' + uncommitted changes' if result['source']['uncommitted'] else ''})"
    )
    print(
        f"connected in {result['connect']['seconds']:.1f} s; "
        f"{delivery['submissions_per_second']:.1f} submissions/s; "
        f"submit round trip p50 {delivery['submit_round_trip_ms']['p50']:.1f} ms"
    )
    print()
    print(f"{'latency (ms)':<28}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'min':>9}")
    rows = [("response -> delivery", delivery["latency_ms"])]
    rows += [(f"  on worker {pid}", s) for pid, s in delivery["latency_ms_by_worker"].items()]
    rows += [
        ("first delivery per event", delivery["first_delivery_ms"]),
        ("fan-out spread per event", delivery["fanout_spread_ms"]),
    ]
    for name, s in rows:
        print(
            f"{name:<28}{s['p50']:>9.1f}{s['p90']:>9.1f}{s['p99']:>9.1f}"
            f"{s['max']:>9.1f}{s['min']:>9.1f}"
        )
    verdict = "ok" if delivery["latency_ms"]["p99"] < 250 else "MISSED"
    print(
        f"deliveries: {delivery['latency_ms']['n']}, missing {delivery['missing']}, "
        f"duplicates {delivery['duplicates']}; p99 < 250 ms: {verdict}"
    )
    print()
    print(
        f"{'worker':<10}{'subs':>6}{'idle MiB':>10}{'conn MiB':>10}{'half MiB':>10}"
        f"{'end MiB':>9}{'peak MiB':>10}{'KiB/sub':>9}{'CPU':>7}"
    )
    for worker in result["workers"]:
        cpu = result["cpu"]["workers"][str(worker["pid"])]
        subs = "?" if worker["subscribers"] is None else str(worker["subscribers"])
        mark = "*" if worker["handled_mutations"] else ""
        print(
            f"{str(worker['pid']) + mark:<10}{subs:>6}{worker['rss_idle_kib'] / 1024:>10.1f}"
            f"{worker['rss_connected_kib'] / 1024:>10.1f}"
            f"{(worker['rss_after_half_kib'] or 0) / 1024:>10.1f}"
            f"{(worker['rss_after_events_kib'] or 0) / 1024:>9.1f}"
            f"{worker['rss_peak_kib'] / 1024:>10.1f}"
            f"{worker['kib_per_subscriber']:>9.1f}{cpu:>7.0%}"
        )
    cpu = result["cpu"]
    print(
        f"(* served the mutations) worker CPU per delivery {cpu['worker_ms_per_delivery']:.2f} ms;"
        f" load generator CPU {cpu['load_generator']:.0%}, "
        f"postgres {cpu['postgres_this_database']:.0%}, "
        f"driver {cpu['driver']:.0%}, irq {cpu['interrupts_cores']:.0%}, "
        f"machine {cpu['machine_busy_fraction']:.0%} busy "
        f"(others {cpu['others_cores']:.2f} cores; "
        f"{result['machine']['busy_cores_before_run']:.2f} before the run); "
        f"load generator RSS {(result['load_generator']['rss_peak_kib'] or 0) / 1024:.0f} MiB"
    )
    log = result["server_log_summary"]
    print(
        f"server log: {log['lines']} lines, {log['errors']} errors, {log['warnings']} warnings"
        f" ({result['server_log']})"
    )
    for line in log["notable"]:
        print(f"  {line[:160]}")
    if result["load_generator"]["failure_count"]:
        print(f"load generator failures: {result['load_generator']['failures'][:5]}")
    print(f"results: {result['results_file']} (run took {result['total_seconds']:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    result = run(config)
    print_report(result)
    delivery = result["delivery"]
    ok = delivery["missing"] == 0 and delivery["duplicates"] == 0
    return 0 if ok and result["connect"]["connected"] == config.subscribers else 1


if __name__ == "__main__":
    sys.exit(main())
