"""The raw floor for W1: one hand-written SQL statement, serialised with orjson.

The same data as workload W1 (the 50 most recently answered petitions with their agency,
field, latest answer and rating), from a bare Starlette route with no GraphQL, no ORM and
no per-field work: what this stack costs at the least. Served by uvicorn exactly as pakn
is (`uvicorn bench.floor:app --workers N`), reading PAKN_DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.common.database import asyncpg_dsn

W1_SQL = """
SELECT p.tracking_code, p.title, p.status, p.answered_at,
       a.code AS agency_code, a.name AS agency_name,
       f.code AS field_code, f.name AS field_name,
       la.body AS answer_body, la.answered_at AS answer_at,
       r.score AS rating
FROM petitions p
LEFT JOIN agencies a ON a.id = p.agency_id
LEFT JOIN fields f ON f.id = p.field_id
LEFT JOIN ratings r ON r.petition_id = p.id
LEFT JOIN LATERAL (
    SELECT body, answered_at FROM answers WHERE answers.petition_id = p.id
    ORDER BY id DESC LIMIT 1
) la ON true
WHERE p.status IN ('ANSWERED', 'CLOSED')
ORDER BY p.answered_at DESC NULLS LAST, p.id DESC
LIMIT 50
"""

POOL: asyncpg.Pool | None = None


def _node(row: asyncpg.Record) -> dict[str, object]:
    return {
        "trackingCode": row["tracking_code"],
        "title": row["title"],
        "status": row["status"],
        "answeredAt": row["answered_at"].isoformat() if row["answered_at"] else None,
        "agency": {"code": row["agency_code"], "name": row["agency_name"]},
        "field": {"code": row["field_code"], "name": row["field_name"]}
        if row["field_code"]
        else None,
        "latestAnswer": {"body": row["answer_body"], "answeredAt": row["answer_at"].isoformat()}
        if row["answer_body"] is not None
        else None,
        "rating": {"score": row["rating"]} if row["rating"] is not None else None,
    }


async def w1(_request: Request) -> Response:
    assert POOL is not None
    async with POOL.acquire() as connection:
        rows = await connection.fetch(W1_SQL)
    body = {"data": {"petitions": {"edges": [{"node": _node(row)} for row in rows]}}}
    return Response(orjson.dumps(body), media_type="application/json")


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global POOL
    POOL = await asyncpg.create_pool(
        asyncpg_dsn(os.environ["PAKN_DATABASE_URL"]), min_size=4, max_size=16
    )
    yield
    await POOL.close()


app = Starlette(routes=[Route("/w1", w1, methods=["GET", "POST"])], lifespan=lifespan)
