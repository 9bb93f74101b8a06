"""Attachments' throughput and memory (#18): uploads through submitPetition (the GraphQL
multipart request specification) and downloads from /files/<sha256>, against a raw floor
in the same run.

pakn is `pakn serve --workers 1` on a fresh database (SQLite, then PostgreSQL); the floor
is a bare Starlette app served by uvicorn the same way (`bench/common/upload_floor.py`),
which parses the same multipart body and hashes the file as it reads it, and serves the
same bytes from a file. The client (httpx, one connection) sends the same files to both,
taking turns. Each file is a PDF of `--megabytes` (a PDF header, random bytes, an EOF
mark: typed, hashed and stored as any PDF is; no re-encoding). The figures: each side's
median MB/s, pakn's as a ratio of the floor's, and the growth of the worker's peak RSS
(VmHWM) over the run, against the bytes that went through it: pakn spools an upload to
disk and stores and serves it a 256 KiB chunk at a time, so its memory must not grow by
the files' size.

    .venv/bin/python bench/uploads.py                        # 12 files of 8 MiB, both backends
    .venv/bin/python bench/uploads.py --files 3 --backend sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.common.processes import child_pids, status_kib
from bench.common.servers import ServerProcess, free_port, server_environment
from tests.support.databases import prepared_database
from tests.support.workflow import SUBMIT, submission

PREFLIGHT = {"GraphQL-Preflight": "1"}
FILES = """query($c: String!, $s: String!) { petitionForPetitioner(trackingCode: $c, secret: $s) {
  attachments { url sha256 } } }"""


def pdf_of(size: int) -> bytes:
    body = os.urandom(size - 64).replace(b"PK", b"pk")
    return b"%PDF-1.4\n" + body + b"\n%%EOF\n"


def upload_to_pakn(client: httpx.Client, url: str, data: bytes) -> tuple[float, str]:
    variables = {"input": {**submission(), "attachments": [None]}}
    started = time.perf_counter()
    response = client.post(
        f"{url}/graphql",
        data={
            "operations": json.dumps({"query": SUBMIT, "variables": variables}),
            "map": json.dumps({"0": ["variables.input.attachments.0"]}),
        },
        files={"0": ("scan.pdf", data, "application/pdf")},
        headers=PREFLIGHT,
    )
    took = time.perf_counter() - started
    filed = response.json()["data"]["submitPetition"]
    assert not filed["userErrors"], filed["userErrors"]
    found = client.post(
        f"{url}/graphql",
        json={"query": FILES, "variables": {"c": filed["trackingCode"], "s": filed["secret"]}},
    ).json()["data"]["petitionForPetitioner"]["attachments"][0]
    return took, str(found["url"])


def upload_to_floor(client: httpx.Client, url: str, data: bytes) -> float:
    started = time.perf_counter()
    response = client.post(f"{url}/upload", files={"0": ("scan.pdf", data, "application/pdf")})
    took = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return took


def download(client: httpx.Client, url: str, size: int) -> float:
    started = time.perf_counter()
    got = 0
    with client.stream("GET", url) as response:
        assert response.status_code == 200, url
        for chunk in response.iter_bytes():
            got += len(chunk)
    assert got == size, (got, size)
    return time.perf_counter() - started


def worker_peak_kib(supervisor: int) -> int:
    return max((status_kib(pid, "VmHWM") or 0 for pid in child_pids(supervisor)), default=0)


def run(backend: str, files: int, size: int, folder: Path) -> dict[str, float]:
    with ExitStack() as stack:
        (folder / backend).mkdir()
        url = stack.enter_context(prepared_database(backend, folder / backend))
        pakn_port, floor_port = free_port(), free_port()
        env = server_environment(
            url, PAKN_SUBMISSIONS_PER_HOUR="100000", PAKN_SECRET_KEY="bench-key-" + "x" * 32
        )
        pakn = ServerProcess(
            "pakn",
            [sys.executable, "-m", "app.cli", "serve", "--port", str(pakn_port), "--workers", "1"],
            env,
            pakn_port,
            log=folder / f"pakn-{backend}.log",
        )
        floor = ServerProcess(
            "floor",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.common.upload_floor:app",
                "--port",
                str(floor_port),
                "--log-level",
                "warning",
            ],
            {**env, "FLOOR_FILE": str(folder / "floor.pdf")},
            floor_port,
        )
        stack.callback(pakn.stop)
        stack.callback(floor.stop)
        pakn.wait_ready("/health")
        floor.wait_ready("/health")
        data = pdf_of(size)
        client = stack.enter_context(httpx.Client(timeout=120))
        upload_to_pakn(client, pakn.url, data)  # warm both up, pakn's pool and the floor's file
        upload_to_floor(client, floor.url, data)
        before = worker_peak_kib(pakn.pid)
        timings: dict[str, list[float]] = {k: [] for k in ("up", "floor_up", "down", "floor_down")}
        for index in range(files):
            data = pdf_of(size)
            order = [0, 1] if index % 2 == 0 else [1, 0]
            for side in order:
                if side == 0:
                    took, file_url = upload_to_pakn(client, pakn.url, data)
                    timings["up"].append(took)
                    timings["down"].append(download(client, f"{pakn.url}{file_url}", len(data)))
                else:
                    timings["floor_up"].append(upload_to_floor(client, floor.url, data))
                    timings["floor_down"].append(
                        download(client, f"{floor.url}/download", len(data))
                    )
        after = worker_peak_kib(pakn.pid)
    megabytes = size / (1024 * 1024)
    rates = {k: megabytes / statistics.median(v) for k, v in timings.items()}
    return {
        "upload_mb_s": rates["up"],
        "floor_upload_mb_s": rates["floor_up"],
        "upload_ratio": rates["up"] / rates["floor_up"],
        "download_mb_s": rates["down"],
        "floor_download_mb_s": rates["floor_down"],
        "download_ratio": rates["down"] / rates["floor_down"],
        "worker_peak_mib_before": before / 1024,
        "worker_peak_growth_mib": (after - before) / 1024,
        "bytes_through_mib": files * 2 * megabytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--megabytes", type=float, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    options = parser.parse_args()
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    size = int(options.megabytes * 1024 * 1024)
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            figures = run(backend, options.files, size, Path(folder))
            print(backend, json.dumps({k: round(v, 2) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
