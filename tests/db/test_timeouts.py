"""A statement that runs (or waits for a lock) past the statement timeout is cancelled by
PostgreSQL; the client gets QUERY_TIMEOUT, not a 500, and the service answers again as
soon as the database does. A lock held from a second connection makes the wait real."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from app.settings import Settings
from db.engine import WORK_MEM, open_engine, session_factory
from db.queries.petitions import PetitionCriteria
from db.queries.stats import group_counts
from tests.support.locks import writers_locked_out
from tests.support.server import RunningServer

LIST = "{ petitions(first: 3) { totalCount edges { node { trackingCode } } } }"
STATS = "{ stats(filter: {channel: BUSINESS}) { totals { received overdueOpen } } }"


@pytest.fixture
def impatient_server(backend: str, demo_database: str) -> Iterator[RunningServer]:
    if backend != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's; SQLite serves one local writer")
    settings = Settings(
        database_url=demo_database, feed_poll_seconds=3600, statement_timeout_seconds=0.3
    )
    with RunningServer(settings) as server:
        yield server


@pytest.mark.parametrize("query", [LIST, STATS])
def test_a_statement_past_the_timeout_answers_query_timeout(
    impatient_server: RunningServer, demo_database: str, query: str
) -> None:
    assert "errors" not in impatient_server.post(query).json()
    with writers_locked_out(demo_database):
        response = impatient_server.post(query)
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["QUERY_TIMEOUT"]
    assert errors[0]["extensions"]["requestId"]
    assert "errors" not in impatient_server.post(query).json()


def test_api_connections_have_memory_for_exact_search_bitmaps_and_custom_plans(
    backend: str, demo_database: str
) -> None:
    """At PostgreSQL's default 4 MB a search's bitmap of one field's petitions turns lossy
    at a million rows and every row's text is searched again (see db.engine.WORK_MEM); a
    generic plan made the statistics statement twice as slow, and custom plans made a
    petition by its code slower (db.queries.stats.CUSTOM_PLANS): for that transaction."""
    if backend != "postgresql":
        pytest.skip("work_mem is PostgreSQL's")

    async def settings() -> tuple[str, str, str]:
        async with open_engine(demo_database) as engine:
            async with session_factory(engine)() as session:
                work_mem = await session.scalar(text("SHOW work_mem"))
                await group_counts(session, PetitionCriteria(), "total", datetime.now(UTC))
                plans = await session.scalar(text("SHOW plan_cache_mode"))
            async with session_factory(engine)() as session:
                later = await session.scalar(text("SHOW plan_cache_mode"))
            return str(work_mem), str(plans), str(later)

    assert asyncio.run(settings()) == (WORK_MEM, "force_custom_plan", "auto")
