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

This module is the run itself; its parts are in bench/subscriptions/ (options, the
server, submissions, the load generator, placement, CPU, analysis, the report) and the
helpers every benchmark shares in bench/common/.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.database import create_database, drop_database
from bench.common.memory import RssSampler
from bench.common.paths import ROOT
from bench.common.percentiles import summary_ms
from bench.common.processes import raise_open_files_limit, status_kib
from bench.common.reporting import results_path, timestamp, write_json
from bench.subscriptions.analysis import analyse
from bench.subscriptions.config import Config, Deadline, parse_args
from bench.subscriptions.cpu import cpu_report, cpu_snapshot, wait_until_quiet
from bench.subscriptions.load_generator import LoadGeneratorProcess
from bench.subscriptions.placement import own_client_ports, worker_of_client_port
from bench.subscriptions.report import print_report, worker_report
from bench.subscriptions.server import FeedServer, backend_pids
from bench.subscriptions.submissions import submit, warm_up_workers


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
    stamp = timestamp()
    database = f"pakn_bench_subs_{stamp.replace('-', '_')}"
    log_path = results_path(f"subscribers-{stamp}.log")
    raise_open_files_limit(2 * config.subscribers + 1024)  # inherited by the workers

    started = time.monotonic()
    result: dict[str, Any] = {
        "benchmark": "subscribers",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": asdict(config),
        "machine": {
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "load_generator": "same machine, one process, one event loop",
        },
        "source": source_version(),
        "database": database,
        "server_log": str(log_path.relative_to(ROOT)),
    }
    result["machine"]["busy_cores_before_run"] = busy_before
    create_database(database)
    server: FeedServer | None = None
    generator: LoadGeneratorProcess | None = None
    sampler: RssSampler | None = None
    try:
        server = FeedServer(database, config.workers, log_path)
        server.wait_until_listening(deadline)
        workers = server.worker_pids
        result["startup_seconds"] = time.monotonic() - started
        warm_up_workers(server.url)
        time.sleep(1.0)
        idle = {pid: status_kib(pid, "VmRSS") or 0 for pid in workers}

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
        connected_rss = {pid: status_kib(pid, "VmRSS") or 0 for pid in workers}

        with httpx.Client(timeout=30) as client:
            result["warm_up_submissions"] = warm_up_subscribers(
                client, server.url, generator, deadline
            )
            now_placed = worker_of_client_port(server.port, workers)
            writer = next(
                (now_placed[p] for p in own_client_ports(server.port) if p in now_placed), None
            )
            backends = asyncio.run(backend_pids(database))
            cpu_before = cpu_snapshot(workers, generator.pid, backends)
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
        cpu_after = cpu_snapshot(workers, generator.pid, backends)
        measured_seconds = time.monotonic() - measured_started
        peak = dict(sampler.peak)
        hwm = {pid: status_kib(pid, "VmHWM") or 0 for pid in workers}
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
            worker_report(pid, idle, connected_rss, peak, hwm, split, config, pid == writer)
            | {f"rss_{name}_kib": sample.get(pid) for name, sample in rss_events.items()}
            for pid in workers
        ]
        result["cpu"] = cpu_report(cpu_before, cpu_after, measured_seconds, workers, generator.pid)
        worker_cpu = sum(result["cpu"]["workers"].values()) * measured_seconds
        deliveries = result["delivery"]["latency_ms"]["n"]
        result["cpu"]["worker_ms_per_delivery"] = worker_cpu * 1000 / max(deliveries, 1)
    finally:
        clean_up(result, config, database, server, generator, sampler)
        result["total_seconds"] = time.monotonic() - started
    path = results_path(f"subscribers-{stamp}.json")
    write_json(path, result)
    result["results_file"] = str(path.relative_to(ROOT))
    return result


def clean_up(
    result: dict[str, Any],
    config: Config,
    database: str,
    server: FeedServer | None,
    generator: LoadGeneratorProcess | None,
    sampler: RssSampler | None,
) -> None:
    """Stop everything this run started and drop its database; one failure stops nothing else."""
    steps: list[tuple[str, Any]] = []
    if sampler is not None:
        steps.append(("RSS sampler", sampler.stop))
    if generator is not None:
        steps.append(("load generator", generator.stop))
    if server is not None:
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


def cpu_model() -> str:
    """The processor's name, as /proc/cpuinfo gives it."""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    result = run(config)
    print_report(result)
    delivery = result["delivery"]
    ok = delivery["missing"] == 0 and delivery["duplicates"] == 0
    return 0 if ok and result["connect"]["connected"] == config.subscribers else 1


if __name__ == "__main__":
    sys.exit(main())
