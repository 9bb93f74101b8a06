"""Statistics, scorecards and rankings on the demo data, on a real server, on SQLite and
PostgreSQL: breakdowns that add up to the totals, statements that do not grow with the
agencies and serve every "now", the ranking's order and minimum, and clear codes for bad
arguments.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.domain.vocabulary import OPEN_STATUSES
from db.engine import open_engine, session_factory
from db.models import Petition
from db.queries import stats as stats_queries
from db.queries.petitions import PetitionCriteria
from tests.support.server import RunningServer
from tests.support.stats_reader import (
    ADDITIVE,
    ROW,
    STATS,
    check_against_reader,
    fetch_list,
    reader_row,
)

# --- breakdowns and statements, on the demo data ---------------------------


@pytest.fixture(scope="module")
def demo_stats(demo_server: RunningServer) -> dict[str, Any]:
    return check_against_reader(demo_server, {})


def test_breakdowns_add_up_to_the_totals(
    demo_server: RunningServer, demo_stats: dict[str, Any]
) -> None:
    totals = demo_stats["totals"]
    everything = fetch_list(demo_server, {})
    keyless = {
        "byAgency": [n for n in everything if n["agency"] is None],
        "byField": [n for n in everything if n["field"] is None],
        "byProvince": [n for n in everything if n["provinceCode"] is None],
        "byMonth": [],
    }
    for name, missing in keyless.items():
        rest = reader_row(missing)
        for figure in ADDITIVE:
            summed = sum(row["stats"][figure] for row in demo_stats[name]) + rest[figure]
            assert summed == totals[figure], (name, figure)
        counts = [sum(r["stats"]["ratingCounts"][i] for r in demo_stats[name]) for i in range(5)]
        assert [c + m for c, m in zip(counts, rest["ratingCounts"], strict=True)] == totals[
            "ratingCounts"
        ]
    assert len(demo_stats["byMonth"]) >= 20


def test_statements_do_not_grow_with_agencies(demo_server: RunningServer, backend: str) -> None:
    query = """query($n: Int) { agencies(first: $n) { edges { node { code
                scorecard(from: "2025-01-01") { received medianResponseWorkingDays } } } } }"""
    counts = []
    for n in (3, 51):
        demo_server.log.clear()
        demo_server.gql(query, {"n": n})
        counts.append(len(demo_server.log.statements))
    assert counts[0] == counts[1]
    demo_server.log.clear()
    demo_server.gql(STATS, {"filter": {}})
    # five breakdowns (the totals fold byMonth's groups), the agencies and fields they name
    queries = [s for s in demo_server.log.statements if not s.startswith("SET LOCAL")]
    assert len(queries) == 7
    # and on PostgreSQL, once, custom plans for the transaction (db.queries.stats)
    assert len(demo_server.log.statements) - len(queries) == (backend == "postgresql")


# --- rankings --------------------------------------------------------------

RANKING = """query($metric: RankingMetric!, $first: Int) {
  agencyRanking(metric: $metric, first: $first) { minimumPetitions
    ranked { rank value agency { code } stats { received } }
    tooFewPetitions { rank value agency { code } stats { received } } } }"""
BETTER_HIGH = {"ON_TIME_RATE": True, "AVERAGE_RATING": True}
FIGURE = {
    "ON_TIME_RATE": "onTimeRate",
    "MEDIAN_RESPONSE": "medianResponseWorkingDays",
    "AVERAGE_RATING": "averageRating",
    "OVERDUE_OPEN": "overdueOpen",
}


@pytest.mark.parametrize("metric", list(FIGURE))
def test_ranking_order_and_the_minimum(demo_server: RunningServer, metric: str) -> None:
    ranking = demo_server.gql(RANKING, {"metric": metric})["agencyRanking"]
    minimum = ranking["minimumPetitions"]
    assert minimum == 10
    ranked, apart = ranking["ranked"], ranking["tooFewPetitions"]
    assert ranked and apart, "the demo data has agencies on both sides of the minimum"
    assert len(ranked) + len(apart) == 51
    assert all(r["stats"]["received"] >= minimum for r in ranked)
    assert all(r["stats"]["received"] < minimum and r["rank"] is None for r in apart)
    assert [r["agency"]["code"] for r in apart] == sorted(r["agency"]["code"] for r in apart)
    valued = [r for r in ranked if r["value"] is not None]
    assert [r["rank"] for r in valued] == list(range(1, len(valued) + 1))
    assert all(r["rank"] is None for r in ranked[len(valued) :])
    sign = -1 if metric in BETTER_HIGH else 1
    keys = [(sign * r["value"], r["agency"]["code"]) for r in valued]
    assert keys == sorted(keys)
    scorecards = demo_server.gql(
        "{ agencies(first: 100) { edges { node { code scorecard { ROW } } } } }".replace("ROW", ROW)
    )["agencies"]["edges"]
    by_code = {e["node"]["code"]: e["node"]["scorecard"] for e in scorecards}
    for entry in ranked + apart:
        expected = by_code[entry["agency"]["code"]][FIGURE[metric]]
        assert entry["value"] == (None if expected is None else pytest.approx(expected))
    first = demo_server.gql(RANKING, {"metric": metric, "first": 2})["agencyRanking"]
    assert first["ranked"] == ranked[:2]


# --- bad arguments ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            '{ stats(filter: {from: "2026-03-02", to: "2026-03-01"}) { totals { received } } }',
            "INVALID_DATE_RANGE",
        ),
        ('{ stats(filter: {to: "9999-12-31"}) { totals { received } } }', "INVALID_DATE_RANGE"),
        ('{ stats(filter: {agencyCodes: ["NOPE"]}) { totals { received } } }', "UNKNOWN_CODE"),
        ('{ stats(filter: {fieldCodes: ["NOPE"]}) { totals { received } } }', "UNKNOWN_CODE"),
        ('{ stats(filter: {provinceCodes: ["99"]}) { totals { received } } }', "UNKNOWN_CODE"),
        (
            '{ stats(filter: {from: "2026-13-01"}) { totals { received } } }',
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            '{ agency(code: "BTC") { scorecard(from: "2026-02-01", to: "2026-01-01") '
            "{ received } } }",
            "INVALID_DATE_RANGE",
        ),
        (
            '{ agencyRanking(metric: ON_TIME_RATE, from: "2026-02-01", to: "2026-01-01") '
            "{ ranked { rank } } }",
            "INVALID_DATE_RANGE",
        ),
        (
            "{ agencyRanking(metric: ON_TIME_RATE, first: 0) { ranked { rank } } }",
            "PAGE_SIZE_OUT_OF_RANGE",
        ),
        ("{ quarterlyReport(year: 2026, quarter: 5) { period } }", "INVALID_QUARTER"),
        ("{ quarterlyReport(year: 2026, quarter: 0) { period } }", "INVALID_QUARTER"),
        ("{ quarterlyReport(year: 1800, quarter: 1) { period } }", "INVALID_QUARTER"),
    ],
)
def test_bad_arguments_get_clear_codes(demo_server: RunningServer, query: str, code: str) -> None:
    assert code in demo_server.error_codes(query)


# --- one statement for every now -------------------------------------------


def test_one_statement_serves_every_now(demo_database: str) -> None:
    """The statement is built once per filter and breakdown and "now" bound at each run:
    asked just before and just after open petitions fall due, overdue moves by them."""

    async def check() -> None:
        async with open_engine(demo_database) as engine, session_factory(engine)() as session:
            due = await session.scalar(
                select(Petition.deadline_at)
                .where(Petition.status.in_([s.value for s in OPEN_STATUSES]))
                .where(Petition.deadline_at.is_not(None))
                .order_by(Petition.deadline_at.desc())
                .limit(1)
            )
            assert due is not None
            falling_due = await session.scalar(
                select(func.count())
                .where(Petition.status.in_([s.value for s in OPEN_STATUSES]))
                .where(Petition.deadline_at == due)
            )
            flt = PetitionCriteria()
            before, after = due - timedelta(seconds=1), due + timedelta(seconds=1)
            assert stats_queries.statement(flt, "total", "x") is stats_queries.statement(
                flt, "total", "x"
            )
            early = await stats_queries.group_counts(session, flt, "total", before)
            late = await stats_queries.group_counts(session, flt, "total", after)
            assert late[0].overdue_open - early[0].overdue_open == falling_due > 0

    asyncio.run(check())
