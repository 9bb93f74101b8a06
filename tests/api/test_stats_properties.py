"""Statistics against a reader, on random petitions: every figure of `stats` equals what a
reader computes from the public petition list with the same filter, using public fields
only, whether it is counted from the petitions or read from the rollups.

Each example replaces the petitions of a module-wide database (SQLite and PostgreSQL)
behind a real server. The figures on the demo data are in test_stats_queries.py, the
quarterly report in test_stats_report.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from app.domain.vocabulary import PetitionStatus
from app.services import notifications, overdue
from app.settings import Settings
from db import rollup
from db.engine import open_engine, session_factory
from db.models import Agency, Field, Petition, Rating
from db.transactions import WriteGate
from tests.support.databases import prepared_database
from tests.support.server import RunningServer
from tests.support.stats_reader import check_against_reader
from tests.support.workflow import (
    ANSWER_TEXT,
    Workflow,
    make_tokens,
    serving_workflow,
    workflow_settings,
)

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
        RunningServer(Settings(database_url=url, feed_poll_seconds=3600, read_rate=0)) as server,
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


# --- urging through the workflow -------------------------------------------

URGEABLE = {"ASSIGNED", "IN_PROGRESS", "TRANSFER_REQUESTED"}
OPEN = URGEABLE | {"ESCALATED"}
URGE_NOTE = "Đề nghị cơ quan khẩn trương xử lý, trả lời công dân."
STEP_NAMES = (
    "urge",
    "acknowledge",
    "transfer",
    "request_transfer",
    "answer",
    "escalate",
    "clock",
)
CLOCK_AHEAD = timedelta(days=75)
"""How far ahead of now the overdue clock runs in a "clock" step: past every deadline the
workflow sets (20 working days), so each open petition's deadline has passed for it."""
plans = st.fixed_dictionaries(
    {
        "start": st.sampled_from(["submitted", "rejected", "BTC", "BYT"]),
        "field": st.sampled_from(FIELDS),
        "province": st.sampled_from(PROVINCES),
        "steps": st.lists(st.sampled_from(STEP_NAMES), max_size=6),
    }
)
"""A petition's life: submitted, then left, rejected or assigned to an agency with an
officer's token, then steps, each taken when the status allows it (the urge again, too);
"clock" runs the overdue clock ahead of time, for every petition of the database."""


def _near_today(pair: tuple[int | None, int | None]) -> dict[str, str]:
    today = datetime.now(UTC).date()
    a, b = pair
    if a is not None and b is not None and a > b:
        a, b = b, a
    out = {}
    if a is not None:
        out["from"] = (today + timedelta(days=a)).isoformat()
    if b is not None:
        out["to"] = (today + timedelta(days=b)).isoformat()
    return out


urged_filters = st.builds(
    lambda dates, dimension: {**_near_today(dates), **dimension},
    st.tuples(st.one_of(st.none(), st.integers(-70, 5)), st.one_of(st.none(), st.integers(-5, 70))),
    st.one_of(
        st.just({}),
        _subset(AGENCIES).map(lambda codes: {"agencyCodes": codes} if codes else {}),
        _subset(FIELDS).map(lambda codes: {"fieldCodes": codes} if codes else {}),
        _subset(PROVINCES).map(lambda codes: {"provinceCodes": codes} if codes else {}),
        st.sampled_from(["CITIZEN", "BUSINESS"]).map(lambda channel: {"channel": channel}),
    ),
)
"""Windows around today (the workflow's petitions are submitted now), whole months or not,
with a dimension the rollups answer or a channel they do not: both paths."""


@pytest.fixture(scope="module")
def urging_workflow(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workflow, str]]:
    with prepared_database(backend, tmp_path_factory.mktemp("urged")) as url:
        tokens = asyncio.run(make_tokens(url))
        with serving_workflow(url, tokens, feed_poll_seconds=3600) as workflow:
            yield workflow, url


async def _run_overdue_clock(url: str, now: datetime) -> int:
    """Every OVERDUE due at `now`, written as the background job writes them."""
    async with open_engine(url) as engine:
        writes = WriteGate(serialise=engine.dialect.name == "sqlite")
        notify = notifications.for_settings(workflow_settings(url))
        return await overdue.run_clock(session_factory(engine), writes, lambda: now, notify)


def _carry_out(workflow: Workflow, url: str, plan: dict[str, Any]) -> tuple[bool, bool]:
    """Live the petition's `plan` through the API; whether it was urged, and whether it
    was open when the clock ran (so it went overdue)."""
    tokens = workflow.tokens
    officers = {"BTC": tokens.btc, "BYT": tokens.byt}
    petition = workflow.submit(fieldCode=plan["field"], provinceCode=plan["province"])["petition"]
    if plan["start"] == "submitted":
        return False, False
    if plan["start"] == "rejected":
        workflow.act("reject", tokens.coordinator, petition, reason="OUT_OF_SCOPE")
        return False, False
    petition = workflow.act("assign", tokens.coordinator, petition, agencyCode=plan["start"])
    urged = overdue_once = False
    for name in plan["steps"]:
        status, agency = petition["status"], petition["agency"]["code"]
        if name == "clock":
            asyncio.run(_run_overdue_clock(url, datetime.now(UTC) + CLOCK_AHEAD))
            petition = workflow.public_view(petition["trackingCode"])
            if status in OPEN:
                assert petition["overdueCount"] > 0
                overdue_once = True
        elif name == "urge" and status in URGEABLE:
            payload = workflow.attempt("urge", tokens.coordinator, petition, note=URGE_NOTE)
            if payload["petition"] is None:  # urged already, this working day
                assert urged and [e["code"] for e in payload["userErrors"]] == ["ALREADY_URGED"]
            else:
                assert payload["petition"]["version"] == petition["version"]
                petition, urged = payload["petition"], True
        elif name == "acknowledge" and status == "ASSIGNED":
            petition = workflow.act("acknowledge", officers[agency], petition)
        elif name == "transfer" and status in OPEN:
            other = "BYT" if agency == "BTC" else "BTC"
            petition = workflow.act("transfer", tokens.coordinator, petition, agencyCode=other)
        elif name == "request_transfer" and status in ("ASSIGNED", "IN_PROGRESS"):
            petition = workflow.act(
                "request_transfer", officers[agency], petition, note="Không thuộc thẩm quyền."
            )
        elif name == "answer" and status == "IN_PROGRESS":
            petition = workflow.act("answer", officers[agency], petition, body=ANSWER_TEXT)
        elif name == "escalate" and status in URGEABLE | {"ANSWERED"}:
            petition = workflow.act(
                "escalate", tokens.coordinator, petition, reason="GOVERNMENT_AUTHORITY"
            )
    return urged, overdue_once


async def _rollup_differences(url: str) -> list[rollup.Difference]:
    async with open_engine(url) as engine, engine.connect() as conn:
        return await rollup.differences(conn)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(lives=st.lists(plans, min_size=1, max_size=4), flt=urged_filters)
def test_urged_through_the_workflow_equals_the_readers(
    urging_workflow: tuple[Workflow, str], lives: list[dict[str, Any]], flt: dict[str, Any]
) -> None:
    """Urges, transfers, answers, escalations and the overdue clock's OVERDUE events keep
    the rollups exact (`pakn stats verify`), and StatsRow.urged and overdueEver equal to the
    reader's counts of urgeCount > 0 and overdueCount > 0, read from the rollups or from the
    petitions."""
    workflow, url = urging_workflow
    outcomes = [_carry_out(workflow, url, plan) for plan in lives]
    assert asyncio.run(_rollup_differences(url)) == []
    check_against_reader(workflow.server, flt)
    stats = check_against_reader(workflow.server, {})
    assert stats["totals"]["urged"] >= sum(urged for urged, _ in outcomes)
    assert stats["totals"]["overdueEver"] >= sum(overdue for _, overdue in outcomes)
