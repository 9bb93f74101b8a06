"""Open-data export throughput: rows/s of GET /export/petitions.csv over HTTP, and the
server's memory while it streams.

Run it from the project root, against a database that already holds the demo petitions
(see bench/EXPORT.md for how the 1,000,000-petition database is made):

    .venv/bin/python bench/export_throughput.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1/pakn_demo_1m --runs 3

Method: `pakn serve` (one worker) runs as a subprocess on a free loopback port against
`--database-url`; the benchmark waits for /health and reads the server's idle RSS.

- Timed runs (`--runs`): curl downloads the whole export to /dev/null, timed from the
  request to the last byte. curl is the client because on a small machine a Python client
  reading ~900 MB would take CPU from the server it measures. Rows/s = the rows the
  filter-less export holds (`SELECT count(*)`) / seconds; curl's byte count must equal the
  verified run's.
- One verified run (unless `--no-verify`): httpx streams the same export and counts the
  records in it (records end with CRLF in CSV, LF in NDJSON; the demo text holds no CRLF,
  and JSON escapes LF), which must equal the count; its rate is reported too, as "python
  client".

A sampler thread reads the server's VmRSS from /proc every 0.1 s during every run; the
report gives idle RSS, the peak of each run and its growth over idle, and VmHWM. The
server's CPU time (utime + stime) per run gives rows per server CPU-second, a figure that
other load on the machine disturbs less than wall-clock time does. The
server gets SIGTERM at the end, also when something fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.memory import RssSampler
from bench.common.paths import pakn_command
from bench.common.processes import cpu_seconds, status_kib
from bench.common.reporting import write_json
from bench.common.servers import ServerProcess, free_port, server_environment
from db.engine import open_engine

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/pakn_demo_1m"


class ServerLoad:
    """The server's peak RSS (sampled every 0.1 s) and CPU time over the block."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self.cpu = 0.0

    def __enter__(self) -> ServerLoad:
        self._cpu_start = cpu_seconds(self.pid) or 0.0
        self._memory = RssSampler([self.pid])
        self._memory.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._memory.stop()
        self.peak_kib = self._memory.peak_kib()
        self.cpu = (cpu_seconds(self.pid) or 0.0) - self._cpu_start

    def figures(self, rows: int, size: int, seconds: float, first_byte: float) -> dict[str, Any]:
        """A run's figures: `size` bytes, `first_byte` and `seconds` from the request."""
        return {
            "rows": rows,
            "bytes": size,
            "seconds": round(seconds, 2),
            "first_byte_ms": round(first_byte * 1000, 1),
            "rows_per_s": round(rows / seconds),
            "mb_per_s": round(size / seconds / 1e6, 1),
            "peak_rss_mb": round(self.peak_kib / 1024, 1),
            "server_cpu_s": round(self.cpu, 2),
            "rows_per_server_cpu_s": round(rows / self.cpu) if self.cpu else None,
        }


async def expected_rows(database_url: str) -> int:
    from db.queries import export
    from db.queries.petitions import PetitionCriteria

    async with open_engine(database_url) as engine:
        return await export.count(engine, PetitionCriteria())


def verified_run(base_url: str, fmt: str, pid: int) -> dict[str, Any]:
    separator = b"\r\n" if fmt == "csv" else b"\n"
    size = records = 0
    tail = b""
    # The export's own bytes, as curl and a browser's download fetch them by default: httpx
    # would otherwise negotiate gzip, and the records would be counted in compressed bytes.
    identity = {"Accept-Encoding": "identity"}
    with (
        httpx.Client(base_url=base_url, timeout=600, headers=identity) as client,
        ServerLoad(pid) as load,
    ):
        started = time.perf_counter()
        first_byte = None
        with client.stream("GET", f"/export/petitions.{fmt}") as response:
            response.raise_for_status()
            for chunk in response.iter_raw(1 << 20):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(chunk)
                joined = tail + chunk  # a separator may straddle two chunks
                records += joined.count(separator) - tail.count(separator)
                tail = chunk[-1:]
        elapsed = time.perf_counter() - started
    rows = records - (1 if fmt == "csv" else 0)  # the CSV header
    return load.figures(rows, size, elapsed, first_byte or 0)


def curl_run(base_url: str, fmt: str, pid: int, rows: int) -> dict[str, Any]:
    with ServerLoad(pid) as load:
        done = subprocess.run(
            [
                "curl",
                "--silent",
                "--fail",
                "--output",
                "/dev/null",
                "--write-out",
                "%{time_starttransfer} %{time_total} %{size_download}",
                f"{base_url}/export/petitions.{fmt}",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    first_byte, elapsed, size = done.stdout.split()
    return load.figures(rows, int(size), float(elapsed), float(first_byte))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--format", choices=["csv", "ndjson"], default="csv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-verify", action="store_true", help="skip the counted httpx run")
    parser.add_argument("--output", help="also write the results as JSON to this file")
    args = parser.parse_args()

    expected = asyncio.run(expected_rows(args.database_url))
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="pakn-export-bench-", suffix=".log", delete=False)
    log.close()
    server = ServerProcess(
        "pakn serve",
        pakn_command("serve", "--port", str(port)),
        server_environment(args.database_url),
        port,
        log=Path(log.name),
    )
    base_url = server.url
    try:
        try:
            server.wait_ready("/health", timeout=300)  # serve migrates first
        except (RuntimeError, TimeoutError) as error:
            raise SystemExit(str(error)) from None
        idle_kb = status_kib(server.pid, "VmRSS") or 0
        load_before = os.getloadavg()
        runs = []
        verified = None
        if not args.no_verify:
            verified = verified_run(base_url, args.format, server.pid)
            verified["rss_growth_mb"] = round(verified["peak_rss_mb"] - idle_kb / 1024, 1)
            print(f"verified (python client): {json.dumps(verified)}", flush=True)
            if verified["rows"] != expected:
                raise SystemExit(f"exported {verified['rows']} rows, the database holds {expected}")
        for number in range(1, args.runs + 1):
            run = curl_run(base_url, args.format, server.pid, expected)
            run["rss_growth_mb"] = round(run["peak_rss_mb"] - idle_kb / 1024, 1)
            runs.append(run)
            print(f"run {number} (curl): {json.dumps(run)}", flush=True)
            if verified is not None and run["bytes"] != verified["bytes"]:
                raise SystemExit("curl and the verified run got different sizes")
        best = max(runs, key=lambda r: r["rows_per_s"])
        result = {
            "format": args.format,
            "database": args.database_url.rsplit("@", 1)[-1],
            "rows": expected,
            "idle_rss_mb": round(idle_kb / 1024, 1),
            "vm_hwm_mb": round((status_kib(server.pid, "VmHWM") or 0) / 1024, 1),
            "runs": runs,
            "verified_python_client": verified,
            "best_rows_per_s": best["rows_per_s"],
            "median_rows_per_s": sorted(r["rows_per_s"] for r in runs)[len(runs) // 2],
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
        }
        print(json.dumps(result, indent=2))
        if args.output:
            write_json(args.output, result)
    finally:
        server.stop()
        os.unlink(log.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
