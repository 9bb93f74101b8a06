"""The quarterly report on the demo data (its figures, the agencies that delay and the
exemplary ones, its printable page and the page's bad paths), and what the report shows
that the workflow sets: featurePetition and escalatedAt.

On a real server, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.domain.stats import Quarter
from app.domain.vocabulary import OPEN_STATUSES
from db.engine import open_engine
from db.models import Agency, PetitionEvent
from tests.support.server import RunningServer
from tests.support.stats_reader import (
    ADDITIVE,
    ROW,
    STATS,
    fetch_list,
    local_time,
    reader_groups,
    reader_row,
    same_figures,
)
from tests.support.workflow import ANSWER_TEXT, FOLLOW_UP_TEXT, Workflow

# --- the quarterly report, on the demo data --------------------------------

REPORT = """query($year: Int!, $quarter: Int!) { quarterlyReport(year: $year, quarter: $quarter) {
  period from to asOf minimumPetitions htmlPath
  totals { ROW } previousTotals { ROW } change { ROW }
  byAgency { agency { code name } stats { ROW } }
  delaying { mostOverdue { agency { code name } count }
             mostTransferRequests { agency { code name } count }
             mostEscalations { agency { code name } count }
             mostUrged { agency { code name } count } }
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
        for figure in ("onTimeRate", "medianResponseWorkingDays", "averageRating", "urgedRate"):
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
        assert listed["mostUrged"] == _top({c: r["urged"] for c, r in table.items()})
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
