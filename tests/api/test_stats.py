"""Statistics, scorecards, rankings and the quarterly report, on a real server, on SQLite
and PostgreSQL.

The property test inserts small random sets of petitions and checks that every figure of
`stats` equals what a reader computes from the public petition list with the same filter,
using public fields only.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from app.domain.stats import Quarter
from app.domain.vocabulary import OPEN_STATUSES, PetitionStatus
from app.settings import Settings
from db import rollup
from db.engine import open_engine, session_factory
from db.models import Agency, Field, Petition, PetitionEvent, Rating
from db.queries import stats as stats_queries
from db.queries.petitions import PetitionCriteria
from tests.support.databases import prepared_database
from tests.support.server import RunningServer
from tests.support.stats_reader import (
    ADDITIVE,
    ROW,
    STATS,
    check_against_reader,
    fetch_list,
    local_time,
    reader_groups,
    reader_row,
    same_figures,
)
from tests.support.workflow import ANSWER_TEXT, FOLLOW_UP_TEXT, Workflow

AGENCIES = ("BTC", "BYT", "UBND-01")
FIELDS = ("DAT_DAI", "THUE", "Y_TE")
PROVINCES = ("01", "79", "48")
BASE_DAY = date(2026, 1, 1)
SPAN_DAYS = 100


# --- random petitions ------------------------------------------------------

moments = st.builds(
    lambda day, second: (
        datetime.combine(BASE_DAY, datetime.min.time(), UTC) + timedelta(days=day, seconds=second)
    ),
    st.integers(0, SPAN_DAYS),
    st.one_of(
        st.sampled_from([0, 16 * 3600 + 3599, 17 * 3600, 17 * 3600 + 1]), st.integers(0, 86399)
    ),
)
petition_specs = st.fixed_dictionaries(
    {
        "status": st.sampled_from(list(PetitionStatus)),
        "agency": st.one_of(st.none(), st.sampled_from(AGENCIES)),
        "field": st.one_of(st.none(), st.sampled_from(FIELDS)),
        "province": st.one_of(st.none(), st.sampled_from(PROVINCES)),
        "channel": st.sampled_from(["CITIZEN", "BUSINESS"]),
        "kind": st.sampled_from(["REFLECTION", "RECOMMENDATION"]),
        "submitted": moments,
        "answer": st.one_of(st.none(), st.tuples(st.integers(0, 45), st.booleans())),
        "deadline_days": st.one_of(st.none(), st.integers(2, 40), st.integers(-40, -2)),
        "escalated": st.booleans(),
        "follow_ups": st.integers(0, 3),
        "score": st.one_of(st.none(), st.integers(1, 5)),
    }
)


def _dates(pair: tuple[int | None, int | None]) -> dict[str, str]:
    a, b = pair
    if a is not None and b is not None and a > b:
        a, b = b, a
    out = {}
    if a is not None:
        out["from"] = (BASE_DAY + timedelta(days=a)).isoformat()
    if b is not None:
        out["to"] = (BASE_DAY + timedelta(days=b)).isoformat()
    return out


def _subset(codes: tuple[str, ...]) -> st.SearchStrategy[list[str] | None]:
    return st.one_of(st.none(), st.lists(st.sampled_from(codes), min_size=1, unique=True))


filters = st.builds(
    lambda dates, agencies, fields, provinces, channel, kind: {
        **_dates(dates),
        **({"agencyCodes": agencies} if agencies else {}),
        **({"fieldCodes": fields} if fields else {}),
        **({"provinceCodes": provinces} if provinces else {}),
        **({"channel": channel} if channel else {}),
        **({"kind": kind} if kind else {}),
    },
    st.tuples(
        st.one_of(st.none(), st.integers(-1, SPAN_DAYS + 1)),
        st.one_of(st.none(), st.integers(-1, SPAN_DAYS + 1)),
    ),
    _subset(AGENCIES),
    _subset(FIELDS),
    _subset(PROVINCES),
    st.one_of(st.none(), st.sampled_from(["CITIZEN", "BUSINESS"])),
    st.one_of(st.none(), st.sampled_from(["REFLECTION", "RECOMMENDATION"])),
)


rollup_filters = st.builds(
    lambda dates, dimension: {**_dates(dates), **dimension},
    st.tuples(
        st.one_of(st.none(), st.integers(-40, SPAN_DAYS + 40)),
        st.one_of(st.none(), st.integers(-40, SPAN_DAYS + 40)),
    ),
    st.one_of(
        st.just({}),
        _subset(AGENCIES).map(lambda codes: {"agencyCodes": codes} if codes else {}),
        _subset(FIELDS).map(lambda codes: {"fieldCodes": codes} if codes else {}),
        _subset(PROVINCES).map(lambda codes: {"provinceCodes": codes} if codes else {}),
    ),
)
"""Filters the rollups answer (`db.queries.stats.rollup_dimension`): dates and at most one
of agency, field and province."""


async def _replace_petitions(url: str, specs: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    async with open_engine(url) as engine, engine.begin() as conn:
        agencies = dict((await conn.execute(select(Agency.code, Agency.id))).all())
        fields = dict((await conn.execute(select(Field.code, Field.id))).all())
        await conn.execute(delete(Rating))
        await conn.execute(delete(Petition))
        petitions, ratings = [], []
        for i, spec in enumerate(specs, start=1):
            submitted = spec["submitted"]
            answer = spec["answer"]
            days = spec["deadline_days"]
            petitions.append(
                {
                    "id": i,
                    "tracking_code": f"PAKN-2026-{i:06d}",
                    "channel": spec["channel"],
                    "kind": spec["kind"],
                    "subject": "POLICY",
                    "title": "Kiến nghị thử nghiệm",
                    "body": "Nội dung kiến nghị thử nghiệm.",
                    "is_private": False,
                    "field_id": fields[spec["field"]] if spec["field"] else None,
                    "province_code": spec["province"],
                    "status": spec["status"].value,
                    "agency_id": agencies[spec["agency"]] if spec["agency"] else None,
                    "submitted_at": submitted,
                    "deadline_at": now + timedelta(days=days) if days is not None else None,
                    "answered_at": submitted + timedelta(days=3) if answer else None,
                    "response_working_days": answer[0] if answer else None,
                    "answered_on_time": answer[1] if answer else None,
                    "follow_up_count": spec["follow_ups"],
                    "escalated_at": submitted + timedelta(hours=5) if spec["escalated"] else None,
                    "rating_score": spec["score"],
                    "version": 1,
                    "search_text": "",
                }
            )
            if spec["score"] is not None:
                ratings.append({"petition_id": i, "score": spec["score"], "rated_at": submitted})
        if petitions:
            await conn.execute(insert(Petition), petitions)
        if ratings:
            await conn.execute(insert(Rating), ratings)
        await rollup.rebuild(conn)


@pytest.fixture(scope="module")
def stats_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningServer, str]]:
    with (
        prepared_database(backend, tmp_path_factory.mktemp("stats")) as url,
        RunningServer(Settings(database_url=url, feed_poll_seconds=3600)) as server,
    ):
        yield server, url


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(specs=st.lists(petition_specs, max_size=25), flt=filters)
def test_every_figure_equals_the_readers(
    stats_server: tuple[RunningServer, str], specs: list[dict[str, Any]], flt: dict[str, Any]
) -> None:
    server, url = stats_server
    asyncio.run(_replace_petitions(url, specs))
    check_against_reader(server, flt)
    check_against_reader(server, {})


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(specs=st.lists(petition_specs, min_size=1, max_size=25), flt=rollup_filters)
def test_figures_read_from_the_rollups_equal_the_readers(
    stats_server: tuple[RunningServer, str], specs: list[dict[str, Any]], flt: dict[str, Any]
) -> None:
    server, url = stats_server
    asyncio.run(_replace_petitions(url, specs))
    check_against_reader(server, flt)


# --- on the demo data ------------------------------------------------------


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
    # four breakdowns (the totals fold byMonth's groups), the agencies and fields they name
    queries = [s for s in demo_server.log.statements if not s.startswith("SET LOCAL")]
    assert len(queries) == 6
    # and on PostgreSQL, once, custom plans for the transaction (db.queries.stats)
    assert len(demo_server.log.statements) - len(queries) == (backend == "postgresql")


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


REPORT = """query($year: Int!, $quarter: Int!) { quarterlyReport(year: $year, quarter: $quarter) {
  period from to asOf minimumPetitions htmlPath
  totals { ROW } previousTotals { ROW } change { ROW }
  byAgency { agency { code name } stats { ROW } }
  delaying { mostOverdue { agency { code name } count }
             mostTransferRequests { agency { code name } count }
             mostEscalations { agency { code name } count } }
  exemplary { agency { code name } stats { received onTimeRate averageRating } }
  featured { trackingCode featuredNote } } }""".replace("ROW", ROW)


def _top(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(((c, n) for c, n in counts.items() if n > 0), key=lambda e: (-e[1], e[0]))[:5]


async def _transfer_requests(url: str, quarter: Quarter) -> dict[str, int]:
    async with open_engine(url) as engine, engine.connect() as conn:
        rows = await conn.execute(
            select(Agency.code, func.count())
            .select_from(PetitionEvent)
            .join(Agency, Agency.id == PetitionEvent.agency_id)
            .where(
                PetitionEvent.action == "REQUEST_TRANSFER",
                PetitionEvent.at >= quarter.start,
                PetitionEvent.at < quarter.end,
            )
            .group_by(Agency.code)
        )
        return {code: int(n) for code, n in rows.all()}


def _window(quarter: Quarter) -> dict[str, str]:
    return {"from": quarter.first_day.isoformat(), "to": quarter.last_day.isoformat()}


def test_quarterly_report_on_the_demo_data(demo_server: RunningServer, demo_database: str) -> None:
    named = 0
    current = Quarter.containing(datetime.now(UTC))
    for quarter in (current, current.previous(), current.previous().previous()):
        report = demo_server.gql(REPORT, {"year": quarter.year, "quarter": quarter.quarter})[
            "quarterlyReport"
        ]
        assert (
            report["period"] == quarter.label and report["htmlPath"] == f"/reports/{quarter.label}"
        )
        assert (report["from"], report["to"]) == (
            quarter.first_day.isoformat(),
            quarter.last_day.isoformat(),
        )
        as_of = datetime.fromisoformat(report["asOf"])
        assert as_of <= quarter.end

        # the totals and the table are the statistics of the quarter's window; overdue is
        # judged as of the quarter's end
        nodes = [
            n
            for n in fetch_list(demo_server, {})
            if quarter.first_day <= local_time(n["submittedAt"]).date() <= quarter.last_day
        ]
        for n in nodes:
            n["isOverdue"] = (
                n["status"] in {s.value for s in OPEN_STATUSES}
                and n["deadlineAt"] is not None
                and datetime.fromisoformat(n["deadlineAt"]) < as_of
            )
        same_figures(report["totals"], reader_row(nodes))
        table = reader_groups(nodes, lambda n: n["agency"] and n["agency"]["code"])
        assert [r["agency"]["code"] for r in report["byAgency"]] == sorted(table)
        for row in report["byAgency"]:
            same_figures(row["stats"], table[row["agency"]["code"]])

        previous = demo_server.gql(STATS, {"filter": _window(quarter.previous())})["stats"]
        for figure in ADDITIVE:
            if figure != "overdueOpen":
                assert report["previousTotals"][figure] == previous["totals"][figure]
            assert (
                report["change"][figure]
                == report["totals"][figure] - report["previousTotals"][figure]
            )
        for figure in ("onTimeRate", "medianResponseWorkingDays", "averageRating"):
            now, before = report["totals"][figure], report["previousTotals"][figure]
            if now is None or before is None:
                assert report["change"][figure] is None
            else:
                assert report["change"][figure] == pytest.approx(now - before)

        # the agencies that delay, named
        delaying = report["delaying"]
        listed = {
            key: [(e["agency"]["code"], e["count"]) for e in delaying[key]] for key in delaying
        }
        assert listed["mostOverdue"] == _top({c: r["overdueOpen"] for c, r in table.items()})
        assert listed["mostEscalations"] == _top({c: r["escalated"] for c, r in table.items()})
        transfers = asyncio.run(_transfer_requests(demo_database, quarter))
        assert listed["mostTransferRequests"] == _top(transfers)
        named += sum(len(v) for v in listed.values())

        best = report["exemplary"]
        assert len(best) <= 5
        assert all(e["stats"]["received"] >= report["minimumPetitions"] for e in best)
        keys = [
            (-e["stats"]["onTimeRate"], -(e["stats"]["averageRating"] or 0), e["agency"]["code"])
            for e in best
        ]
        assert keys == sorted(keys)

        page = demo_server.client.get(report["htmlPath"])
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "@media print" in page.text and quarter.label in page.text
        for entries in delaying.values():
            for entry in entries:
                assert html.escape(entry["agency"]["name"]) in page.text
    assert named > 0, "the demo data names some delaying agency"


@pytest.mark.parametrize(
    "path",
    [
        "/reports/2026-Q5",
        "/reports/2026-Q0",
        "/reports/26-Q1",
        "/reports/1999-Q4",
        "/reports/2026-q1",
        "/reports/",
    ],
)
def test_bad_report_paths_are_json_404s(demo_server: RunningServer, path: str) -> None:
    response = demo_server.client.get(path)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


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


# --- featurePetition and escalatedAt, through the workflow -----------------


def test_feature_petition(workflow: Workflow) -> None:
    petition, _ = workflow.assigned()
    tokens = workflow.tokens
    note = "Kiến nghị hữu ích: đã giúp sửa quy trình cấp giấy chứng nhận."
    assert workflow.refusal("feature", tokens.btc, petition, note=note) == ["FORBIDDEN"]
    assert workflow.refusal("feature", None, petition, note=note) == ["UNAUTHENTICATED"]
    assert workflow.refusal("feature", tokens.admin, petition, note=note) == ["FORBIDDEN"]
    missing = workflow.attempt("feature", tokens.coordinator, petition, note=" ")
    assert [e["code"] for e in missing["userErrors"]] == ["REQUIRED"]
    stale = workflow.attempt("feature", tokens.coordinator, petition, note=note, expectedVersion=99)
    assert [e["code"] for e in stale["userErrors"]] == ["STALE_VERSION"]

    featured = workflow.act("feature", tokens.coordinator, petition, note=note)
    assert featured["status"] == petition["status"] == "ASSIGNED"
    assert featured["version"] == petition["version"] + 1
    assert featured["featuredNote"] == note and featured["featuredAt"]
    last = featured["events"]["edges"][-1]["node"]
    assert (last["action"], last["fromStatus"], last["toStatus"], last["actorRole"]) == (
        "FEATURE",
        "ASSIGNED",
        "ASSIGNED",
        "COORDINATOR",
    )
    assert last["note"] == note

    submitted = workflow.submit()["petition"]
    rejected = workflow.act("reject", tokens.coordinator, submitted, reason="OUT_OF_SCOPE")
    refused = workflow.attempt("feature", tokens.coordinator, rejected, note=note)
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TRANSITION"]

    quarter = Quarter.containing(datetime.now(UTC))
    report = workflow.server.gql(
        "query($y: Int!, $q: Int!) { quarterlyReport(year: $y, quarter: $q) "
        "{ featured { trackingCode featuredNote } } }",
        {"y": quarter.year, "q": quarter.quarter},
    )["quarterlyReport"]
    assert {"trackingCode": petition["trackingCode"], "featuredNote": note} in report["featured"]
    page = workflow.server.client.get(f"/reports/{quarter.label}")
    assert page.status_code == 200
    assert petition["trackingCode"] in page.text and html.escape(note) in page.text


def test_escalated_at_is_set_once_and_kept(workflow: Workflow) -> None:
    petition, _ = workflow.assigned()
    tokens = workflow.tokens
    assert petition["escalatedAt"] is None
    escalated = workflow.act(
        "escalate", tokens.coordinator, petition, reason="GOVERNMENT_AUTHORITY"
    )
    first = escalated["escalatedAt"]
    assert first is not None
    moved = workflow.act("transfer", tokens.coordinator, escalated, agencyCode="BYT")
    assert datetime.fromisoformat(moved["escalatedAt"]) == datetime.fromisoformat(first)
    again = workflow.act("escalate", tokens.coordinator, moved, reason="MULTI_AGENCY_DISAGREEMENT")
    assert datetime.fromisoformat(again["escalatedAt"]) == datetime.fromisoformat(first)

    answered, secret = workflow.answered()
    for round_ in (1, 2):
        followed = workflow.act("follow_up", None, answered, secret=secret, body=FOLLOW_UP_TEXT)
        if round_ == 1:
            assert followed["escalatedAt"] is None
            workflow.act("answer", tokens.btc, followed, body=ANSWER_TEXT)
    assert followed["status"] == "ESCALATED" and followed["escalatedAt"] is not None


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
