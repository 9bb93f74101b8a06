"""A document whose root fields each reach the database (two `stats` windows, a ranking)
answers under concurrent load: the request's session is connected before its resolvers
run side by side, which otherwise both tried to open its connection while the pool made
them wait, and SQLAlchemy refused the second ("This session is provisioning a new
connection"). Found by bench/site_pages.py on PostgreSQL, with 16 connections."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.server import RunningServer

DOCUMENT = """{
  a: stats { totals { received } }
  b: stats(filter: {from: "2025-01-01"}) { totals { received } }
  agencyRanking(metric: ON_TIME_RATE) { ranked { rank } }
  petitions(first: 1) { totalCount }
}"""


async def _post_many(url: str, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return await asyncio.gather(
            *(client.post("/graphql", json={"query": DOCUMENT}) for _ in range(count))
        )


def test_root_fields_that_each_read_answer_under_concurrent_requests(
    demo_server: RunningServer,
) -> None:
    responses = asyncio.run(_post_many(demo_server.url, 48))
    assert [r.status_code for r in responses] == [200] * 48
    errors = [r.json()["errors"] for r in responses if "errors" in r.json()]
    assert errors == []
