"""The options of one subscribers run, and its time limit."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    """The options of one run, as the results file records them."""

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
