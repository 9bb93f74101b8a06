"""The website's pages against the GraphQL requests that read the same data, in one run.

Serves the database with `pakn serve` and, for each page, drives wrk at the page (GET, as
a browser asks for it) and then at `/graphql` with the very document and variables the
page runs in process (`app/web/site/queries/`), taking turns for `--rounds` rounds so
that drift in the machine's speed hits both alike. A page's cost over its GraphQL
request's is what the website adds: the HTML, its escaping, translation and formatting.
Prints each page's req/s, p50 and p99, its GraphQL request's, and the ratio page/GraphQL
(the issue asks at least 0.7).

    .venv/bin/python bench/site_pages.py --database-url postgresql+asyncpg://postgres@127.0.0.1/pakn_demo_1m

The database must hold demo petitions already (`pakn demo --petitions 1000000`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.paths import pakn_command
from bench.common.servers import (
    ServerProcess,
    free_port,
    graphql_succeeded,
    server_environment,
)
from bench.harness import run_wrk, sample_codes
from bench.workloads import _lua


@dataclass(frozen=True)
class Pair:
    """A page (at each of `paths` in turn) and the GraphQL request that reads its data
    (the page's document, with each of `variables` in turn)."""

    name: str
    paths: list[str]
    document: str
    variables: list[dict[str, Any]]

    @property
    def page_lua(self) -> str:
        table = ", ".join(_lua(path) for path in self.paths)
        return f"""local paths = {{{table}}}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""

    @property
    def graphql_lua(self) -> str:
        bodies = ", ".join(
            _lua(json.dumps({"query": self.document, "variables": v}, ensure_ascii=False))
            for v in self.variables
        )
        return f"""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {{{bodies}}}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""

    def check(self, url: str, concurrency: int) -> None:
        """Both sides answer without error, `concurrency` requests at once, before they
        are timed: wrk counts a 200 that carries GraphQL errors as a success."""

        async def both() -> None:
            async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                paths = [self.paths[i % len(self.paths)] for i in range(concurrency)]
                bodies = [
                    {"query": self.document, "variables": self.variables[i % len(self.variables)]}
                    for i in range(concurrency)
                ]
                pages = [client.get(path) for path in paths]
                posts = [client.post("/graphql", json=body) for body in bodies]
                for response in await asyncio.gather(*pages):
                    if response.status_code != 200:
                        raise RuntimeError(f"{self.name}: {response.status_code}")
                for response in await asyncio.gather(*posts):
                    if not graphql_succeeded(response):
                        raise RuntimeError(f"{self.name}: GraphQL {response.text[:300]}")

        asyncio.run(both())


def pairs(codes: list[str]) -> list[Pair]:
    """Each page with the variables `app.web.site` gives its document."""
    from app.web.site.api import DOCUMENTS
    from app.web.site.dashboard import FEED_SIZE
    from app.web.site.periods import chart_start, last_quarter

    quarter = last_quarter()
    first, last = quarter.first_day.isoformat(), quarter.last_day.isoformat()
    search = {
        "filter": {"search": "thu tuc dat dai", "provinceCodes": ["01"]},
        "orderBy": {"field": "SUBMITTED_AT", "direction": "DESC"},
        "first": 20,
        "after": None,
    }
    dashboard = {
        "quarterFrom": first,
        "quarterTo": last,
        "chartFrom": chart_start(),
        "metric": "ON_TIME_RATE",
        "feed": FEED_SIZE,
    }
    agency = {
        "code": "BTC",
        "quarterFrom": first,
        "quarterTo": last,
        "chartFrom": chart_start(),
        "list": 20,
    }
    ranking = {"metric": "ON_TIME_RATE", "from": first, "to": last}
    found = [
        Pair("/", ["/"], DOCUMENTS["dashboard"], [dashboard]),
        Pair(
            "/petitions (search)",
            ["/petitions?search=thu+tuc+dat+dai&provinceCodes=01"],
            DOCUMENTS["petitions"],
            [search],
        ),
        Pair("/agencies", ["/agencies"], DOCUMENTS["agencies"], [ranking]),
        Pair("/agencies/BTC", ["/agencies/BTC"], DOCUMENTS["agency"], [agency]),
        Pair("/submit", ["/submit"], DOCUMENTS["submit_form"], [{}]),
    ]
    if "petition" in DOCUMENTS:
        from app.web.site.petition import petition_variables

        found.insert(
            2,
            Pair(
                "/p/<code>",
                [f"/p/{code}" for code in codes],
                DOCUMENTS["petition"],
                [petition_variables(code) for code in codes],
            ),
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--petitions", type=int, default=200, help="codes /p/<code> rotates")
    parser.add_argument("--pages", nargs="*", help="only the pages whose names contain these")
    args = parser.parse_args(argv)

    codes = asyncio.run(sample_codes(args.database_url, args.petitions))
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"pakn-site-bench-{port}.log"
    env = server_environment(args.database_url, PAKN_MAX_QUERY_COST="0")
    server = ServerProcess(
        "pakn serve",
        pakn_command("serve", "--port", str(port), "--workers", str(args.workers)),
        env,
        port,
        log=log,
    )
    rows: list[str] = []
    try:
        server.wait_ready("/health", timeout=120)
        for pair in pairs(codes):
            if args.pages and not any(part in pair.name for part in args.pages):
                continue
            pair.check(server.url, args.connections)
            run_wrk(f"{server.url}/", pair.page_lua, 2, args.connections, server)
            run_wrk(f"{server.url}/graphql", pair.graphql_lua, 2, args.connections, server)
            page_runs, api_runs = [], []
            for _ in range(args.rounds):
                page_runs.append(
                    run_wrk(f"{server.url}/", pair.page_lua, args.seconds, args.connections, server)
                )
                api_runs.append(
                    run_wrk(
                        f"{server.url}/graphql",
                        pair.graphql_lua,
                        args.seconds,
                        args.connections,
                        server,
                    )
                )
            page = {k: median(r[k] for r in page_runs) for k in ("rps", "p50", "p99", "errors")}
            api = {k: median(r[k] for r in api_runs) for k in ("rps", "p50", "p99", "errors")}
            ratio = page["rps"] / api["rps"] if api["rps"] else 0.0
            rows.append(
                f"| {pair.name} | {page['rps']:.0f} | {page['p50']:.1f} | {page['p99']:.1f} "
                f"| {api['rps']:.0f} | {api['p50']:.1f} | {api['p99']:.1f} | {ratio:.2f} "
                f"| {page['errors']:.0f}/{api['errors']:.0f} |"
            )
            print(rows[-1], flush=True)
    finally:
        server.stop()
    print(
        "\n| page | page req/s | p50 ms | p99 ms | GraphQL req/s | p50 ms | p99 ms "
        "| page/GraphQL | errors |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
