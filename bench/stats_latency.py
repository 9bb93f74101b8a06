"""Latency of the statistics queries over the real HTTP API.

Times, N times each after a warm-up: `stats` over all time and over one quarter (every
breakdown selected), one agency's scorecard (all time and one quarter), `agencyRanking`, the
quarterly report (GraphQL) and its printable page. Prints the median and the 90th
percentile in milliseconds.

    .venv/bin/python bench/stats_latency.py --database-url sqlite+aiosqlite:////tmp/pakn-100k.db
    .venv/bin/python bench/stats_latency.py --url http://127.0.0.1:8000

With --database-url it serves that database itself (one uvicorn worker in this process,
the database must be migrated already: `pakn db upgrade`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.timezone import VN_TZ
from bench.common.percentiles import percentile
from bench.common.quarters import iso_bounds, last_full_quarter
from bench.common.servers import free_port, graphql_succeeded

ROW = """received answered answeredOnTime onTimeRate overdueOpen escalated followUps rejected
         medianResponseWorkingDays p90ResponseWorkingDays averageRating ratingCounts"""
STATS = """query($filter: StatsFilter) { stats(filter: $filter) { totals { ROW }
  byAgency { agency { code } stats { ROW } } byField { field { code } stats { ROW } }
  byProvince { province { code } stats { ROW } } byMonth { month stats { ROW } } } }""".replace(
    "ROW", ROW
)
SCORECARD = """query($code: String!, $from: Date, $to: Date) {
  agency(code: $code) { scorecard(from: $from, to: $to) { ROW } } }""".replace("ROW", ROW)
RANKING = """query($from: Date, $to: Date) { agencyRanking(metric: ON_TIME_RATE, from: $from,
  to: $to) { ranked { rank value agency { code } } tooFewPetitions { agency { code } } } }"""
REPORT = """query($year: Int!, $quarter: Int!) { quarterlyReport(year: $year, quarter: $quarter)
  { totals { ROW } previousTotals { ROW } change { ROW } byAgency { agency { code } stats { ROW } }
    delaying { mostOverdue { agency { code } count } mostTransferRequests { agency { code } count }
               mostEscalations { agency { code } count } }
    exemplary { agency { code } } featured { trackingCode } } }""".replace("ROW", ROW)


def _serve(database_url: str) -> tuple[str, Any]:
    from app.main import create_app
    from app.settings import Settings
    from app.web.serving import PaknServer, uvicorn_config

    port = free_port()
    # one client address times every request: the read limit would time 429s
    app = create_app(Settings(database_url=database_url, feed_poll_seconds=3600, read_rate=0))
    server = PaknServer(uvicorn_config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _time(client: httpx.Client, call: Any, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call(client)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call(client)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _gql(query: str, variables: dict[str, Any]) -> Any:
    def call(client: httpx.Client) -> None:
        response = client.post("/graphql", json={"query": query, "variables": variables})
        if not graphql_succeeded(response):
            raise RuntimeError(f"query failed: {response.text[:500]}")

    return call


def _get(path: str) -> Any:
    def call(client: httpx.Client) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running pakn server, e.g. http://127.0.0.1:8000")
    where.add_argument("--database-url", help="serve this (migrated) database in-process")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--agency", default="BTC", help="the scorecard's agency code")
    args = parser.parse_args(argv)

    server = None
    url = args.url
    if args.database_url:
        url, server = _serve(args.database_url)
    # the quarter as the reports count it, in Vietnam's time
    last_quarter = last_full_quarter(datetime.now(VN_TZ).date())
    year, quarter = last_quarter.year, last_quarter.quarter
    first, last = iso_bounds(last_quarter)
    window = {"from": first, "to": last}
    cases = [
        ("stats, all time, all breakdowns", _gql(STATS, {"filter": {}})),
        (
            "stats, all time, totals only",
            _gql("{ stats { totals { ROW } } }".replace("ROW", ROW), {}),
        ),
        (f"stats, {year}-Q{quarter}, all breakdowns", _gql(STATS, {"filter": window})),
        (f"scorecard {args.agency}, all time", _gql(SCORECARD, {"code": args.agency})),
        (
            f"scorecard {args.agency}, {year}-Q{quarter}",
            _gql(SCORECARD, {"code": args.agency, **window}),
        ),
        (f"agencyRanking, {year}-Q{quarter}", _gql(RANKING, window)),
        (f"quarterlyReport {year}-Q{quarter}", _gql(REPORT, {"year": year, "quarter": quarter})),
        (f"GET /reports/{year}-Q{quarter}", _get(f"/reports/{year}-Q{quarter}")),
    ]
    print(f"{'query':<40} {'median ms':>10} {'p90 ms':>10}   ({args.runs} runs, {url})")
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            for name, call in cases:
                times = sorted(_time(client, call, args.runs, args.warmup))
                p90 = percentile(times, 90)
                print(f"{name:<40} {statistics.median(times):>10.1f} {p90:>10.1f}")
    finally:
        if server is not None:
            server.should_exit = True
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
