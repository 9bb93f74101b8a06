"""urgePetition: the Government Office urges (đôn đốc) the handling agency. Public in the
history and to subscribers, counted (urgeCount, StatsRow.urged, the MOST_URGED ranking,
the quarterly report's most urged agencies), refused where it means nothing or comes from
anyone but the coordinator, at most once a working day, and without moving the version.

On a real server over a database of this module's own, on SQLite and PostgreSQL; the
once-a-working-day rule through the service with a clock the test sets.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from graphql import parse

from app.domain.stats import Quarter
from app.domain.timezone import VN_TZ, now
from app.domain.urging import working_day_of
from app.domain.vocabulary import Action, ActorRole
from app.domain.workflow import Actor
from app.services import actions
from app.services.outcome import UserErrors
from app.services.transitions import ActionScope, Change
from app.settings import Settings
from db import rollup
from db.engine import open_engine, session_factory
from db.models import Petition
from db.transactions import WriteGate
from resolvers.ids import global_id
from schema.build import build_schema
from schema.cost import plan_cost
from tests.support.databases import prepared_database
from tests.support.stats_reader import check_against_reader, fetch_list
from tests.support.workflow import (
    ANSWER_TEXT,
    Workflow,
    action_body,
    bearer,
    count_events,
    make_tokens,
    serving_workflow,
    workflow_settings,
)
from tests.support.ws_client import GraphQLSocket

NOTE = "Đề nghị Bộ Tài chính khẩn trương trả lời công dân, đã gần hết hạn."


@pytest.fixture(scope="module")
def urging_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with prepared_database(backend, tmp_path_factory.mktemp("urging")) as url:
        yield url


@pytest.fixture(scope="module")
def urging(urging_database: str) -> Iterator[Workflow]:
    tokens = asyncio.run(make_tokens(urging_database))
    with serving_workflow(
        urging_database,
        tokens,
        feed_poll_seconds=0.5,
        keep_alive_seconds=0.5,
        ranking_minimum=1,
    ) as workflow:
        yield workflow


async def _differences(url: str) -> list[rollup.Difference]:
    async with open_engine(url) as engine, engine.connect() as conn:
        return await rollup.differences(conn)


def _codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def _last_event(petition: dict[str, Any]) -> dict[str, Any]:
    return petition["events"]["edges"][-1]["node"]  # type: ignore[no-any-return]


# --- urging through the API ------------------------------------------------


def test_an_urge_is_public_keeps_the_status_and_the_version(urging: Workflow) -> None:
    tokens = urging.tokens
    petition, _ = urging.assigned("BTC")
    assert petition["urgeCount"] == 0
    urged = urging.act("urge", tokens.coordinator, petition, note=NOTE)
    assert urged["status"] == "ASSIGNED"
    assert urged["version"] == petition["version"], "URGE does not move the version"
    assert urged["urgeCount"] == 1
    assert urged["deadlineAt"] == petition["deadlineAt"], "nor restarts the clock"

    public = urging.public_view(petition["trackingCode"])  # anonymous
    assert public["urgeCount"] == 1 and public["version"] == petition["version"]
    last = _last_event(public)
    assert (last["action"], last["fromStatus"], last["toStatus"], last["actorRole"]) == (
        "URGE",
        "ASSIGNED",
        "ASSIGNED",
        "COORDINATOR",
    )
    assert last["note"] == NOTE and last["agency"] == {"code": "BTC"}


def test_the_agency_s_pending_edit_survives_an_urge(urging: Workflow) -> None:
    tokens = urging.tokens
    petition, _ = urging.in_progress()
    seen_by_officer = dict(petition)  # the officer's page, loaded before the urge
    urging.act("urge", tokens.coordinator, petition, note=NOTE)
    progressed = urging.act(
        "progress", tokens.btc, seen_by_officer, note="Đang xác minh hồ sơ với địa phương."
    )
    assert progressed["version"] == petition["version"] + 1
    assert progressed["urgeCount"] == 1
    # an expectedVersion that is given is still checked
    other, _ = urging.in_progress()
    urging.act("progress", tokens.btc, other, note="Đã nhận hồ sơ, đang xử lý.")
    stale = urging.attempt("urge", tokens.coordinator, other, note=NOTE)
    assert _codes(stale) == ["STALE_VERSION"] and stale["petition"] is None


def test_a_transfer_requested_petition_may_be_urged(urging: Workflow) -> None:
    tokens = urging.tokens
    petition, _ = urging.assigned("BTC")
    asked = urging.act("request_transfer", tokens.btc, petition, note="Không thuộc thẩm quyền.")
    urged = urging.act("urge", tokens.coordinator, asked, note=NOTE)
    assert urged["status"] == "TRANSFER_REQUESTED" and urged["urgeCount"] == 1


def test_a_second_urge_the_same_working_day_is_refused_over_the_api(urging: Workflow) -> None:
    tokens = urging.tokens
    petition, _ = urging.assigned("BYT")
    first_day = working_day_of(now())
    urged = urging.act("urge", tokens.coordinator, petition, note=NOTE)
    again = urging.attempt("urge", tokens.coordinator, urged, note=NOTE)
    if working_day_of(now()) != first_day:  # the two calls straddled local midnight
        pytest.skip("the working day changed between the two urges")
    assert _codes(again) == ["ALREADY_URGED"] and again["petition"] is None
    message = again["userErrors"][0]["message"]
    assert "once a working day" in message and "may be urged again from" in message
    assert urging.public_view(petition["trackingCode"])["urgeCount"] == 1


def _closed(workflow: Workflow) -> dict[str, Any]:
    petition, secret = workflow.answered()
    return workflow.act("rate", None, petition, secret=secret, score=4)


def test_urging_where_it_means_nothing_is_refused(urging: Workflow, urging_database: str) -> None:
    tokens = urging.tokens
    submitted = urging.submit()["petition"]
    answered, _ = urging.answered()
    closed = _closed(urging)
    escalated = urging.act(
        "escalate", tokens.coordinator, urging.assigned()[0], reason="GOVERNMENT_AUTHORITY"
    )
    rejected = urging.act(
        "reject", tokens.coordinator, urging.submit()["petition"], reason="ABUSIVE"
    )
    before = count_events(urging_database)
    for petition in (submitted, answered, closed, escalated, rejected):
        refused = urging.attempt("urge", tokens.coordinator, petition, note=NOTE)
        assert _codes(refused) == ["INVALID_TRANSITION"], petition["status"]
        assert petition["status"] in refused["userErrors"][0]["message"]
        assert urging.public_view(petition["trackingCode"])["urgeCount"] == 0
    assert count_events(urging_database) == before, "nothing written"


def test_only_the_coordinator_urges(urging: Workflow, urging_database: str) -> None:
    tokens = urging.tokens
    petition, _ = urging.assigned("BTC")
    before = count_events(urging_database)
    # the handling agency's own officer, another agency's, an admin, anyone without a token
    # (the petitioner included: the mutation takes no secret)
    assert urging.refusal("urge", tokens.btc, petition, note=NOTE) == ["FORBIDDEN"]
    assert urging.refusal("urge", tokens.byt, petition, note=NOTE) == ["FORBIDDEN"]
    assert urging.refusal("urge", tokens.admin, petition, note=NOTE) == ["FORBIDDEN"]
    assert urging.refusal("urge", None, petition, note=NOTE) == ["UNAUTHENTICATED"]
    assert urging.refusal("urge", "not-a-token", petition, note=NOTE) == ["UNAUTHENTICATED"]
    assert count_events(urging_database) == before
    assert urging.public_view(petition["trackingCode"])["urgeCount"] == 0


@pytest.mark.parametrize(
    ("note", "code"),
    [(" \n ", "REQUIRED"), ("", "REQUIRED"), ("đ" * 5_001, "TOO_LONG"), ("a\x00b", "INVALID_TEXT")],
)
def test_the_note_is_required_and_bounded(urging: Workflow, note: str, code: str) -> None:
    petition, _ = urging.assigned("BTC")
    refused = urging.attempt("urge", urging.tokens.coordinator, petition, note=note)
    assert _codes(refused) == [code]
    assert refused["userErrors"][0]["field"][-1] == "note"
    assert urging.public_view(petition["trackingCode"])["urgeCount"] == 0


def test_unknown_and_malformed_petition_ids(urging: Workflow) -> None:
    petition, _ = urging.assigned("BTC")
    coordinator = urging.tokens.coordinator
    wrong = urging.attempt("urge", coordinator, {**petition, "id": "bm90LWFuLWlk"}, note=NOTE)
    assert _codes(wrong) == ["INVALID_ID"]
    absent = global_id("Petition", 10**9)
    gone = urging.attempt("urge", coordinator, {**petition, "id": absent}, note=NOTE)
    assert _codes(gone) == ["NOT_FOUND"]


async def test_an_urge_reaches_subscribers(urging: Workflow) -> None:
    petition, _ = await asyncio.to_thread(urging.assigned, "BTC")
    async with GraphQLSocket(urging.server.url) as socket:
        await socket.subscribe(code=petition["trackingCode"])
        await asyncio.sleep(0.2)
        await asyncio.to_thread(urging.act, "urge", urging.tokens.coordinator, petition, note=NOTE)
        [event] = await socket.events(1)
    assert (event["action"], event["fromStatus"], event["toStatus"]) == (
        "URGE",
        "ASSIGNED",
        "ASSIGNED",
    )
    assert event["note"] == NOTE and event["petition"]["trackingCode"] == petition["trackingCode"]


# --- races -----------------------------------------------------------------


def _post_all(workflow: Workflow, bodies: list[tuple[dict[str, Any], str]]) -> list[Any]:
    def post(item: tuple[dict[str, Any], str]) -> dict[str, Any]:
        body, token = item
        with httpx.Client(base_url=workflow.server.url, timeout=30) as client:
            response = client.post("/graphql", json=body, headers=bearer(token))
        return next(iter(response.json()["data"].values()))  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def test_racing_urges_write_one(urging: Workflow, urging_database: str) -> None:
    petition, _ = urging.assigned("BTC")
    before = count_events(urging_database)
    body = action_body("urge", petition, note=NOTE)
    results = _post_all(urging, [(body, urging.tokens.coordinator)] * 4)
    winners = [r for r in results if r["petition"] is not None]
    assert len(winners) == 1
    assert all(
        _codes(r) in (["STALE_VERSION"], ["ALREADY_URGED"]) for r in results if r not in winners
    )
    assert count_events(urging_database) == before + 1
    assert urging.public_view(petition["trackingCode"])["urgeCount"] == 1
    assert asyncio.run(_differences(urging_database)) == []


def test_an_urge_racing_a_transfer_keeps_the_figures_exact(
    urging: Workflow, urging_database: str
) -> None:
    """The urge does not move the version; the transfer read the petition before it: the
    claim compares the urge count too, so a transfer never carries the petition to another
    agency's figures without its urge."""
    tokens = urging.tokens
    for _ in range(4):
        petition, _ = urging.assigned("BTC")
        urge = action_body("urge", petition, note=NOTE)
        transfer = action_body("transfer", petition, agencyCode="BYT")
        results = _post_all(urging, [(urge, tokens.coordinator), (transfer, tokens.coordinator)])
        assert any(r["petition"] is not None for r in results)
        for r in results:
            assert r["petition"] is not None or _codes(r) == ["STALE_VERSION"]
        assert asyncio.run(_differences(urging_database)) == []
    check_against_reader(urging.server, {"agencyCodes": ["BTC", "BYT"]})


# --- once a working day, with the clock the test sets -----------------------


def _vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)  # type: ignore[misc]


async def _urge_at(
    url: str, petition_id: int, at: datetime, actor: Actor, version: int | None
) -> Petition:
    async with open_engine(url) as engine:
        async with session_factory(engine)() as session:
            scope = ActionScope(session, workflow_settings(url), at, actor)
            writes = WriteGate(serialise=engine.dialect.name == "sqlite")
            change = Change(Action.URGE, version, note=NOTE)
            return await actions.by_officer(writes, scope, petition_id, change)


def _petition_id(tracking_code: str) -> int:
    """The database id inside a tracking code (PAKN-<year>-<id>)."""
    return int(tracking_code.rsplit("-", 1)[1])


def test_at_most_one_urge_a_working_day(urging: Workflow, urging_database: str) -> None:
    petition, _ = urging.assigned("BTC")
    pid = _petition_id(petition["trackingCode"])
    version = petition["version"]
    coordinator = Actor(ActorRole.COORDINATOR)

    def urge(at: datetime, actor: Actor = coordinator, v: int | None = version) -> Petition:
        return asyncio.run(_urge_at(urging_database, pid, at, actor, v))

    def refused(at: datetime) -> str:
        with pytest.raises(UserErrors) as raised:
            urge(at)
        [found] = raised.value.problems
        assert found.code == "ALREADY_URGED"
        return found.message

    assert urge(_vn(2027, 3, 3, 9)).urge_count == 1  # Wednesday
    message = refused(_vn(2027, 3, 3, 17))
    assert "2027-03-03T09:00:00+07:00" in message and "2027-03-04T00:00:00+07:00" in message
    refused(datetime(2027, 3, 3, 16, 59, 59, tzinfo=UTC))  # 23:59:59 local
    assert urge(datetime(2027, 3, 3, 17, 0, tzinfo=UTC)).urge_count == 2  # Thursday 00:00 local
    assert urge(_vn(2027, 3, 6, 10)).urge_count == 3  # a Saturday: Monday's urge
    assert "2027-03-09T00:00:00+07:00" in refused(_vn(2027, 3, 8, 9))  # that Monday
    # the automatic urge (SYSTEM) passes no version, and keeps the same rule
    assert urge(_vn(2027, 3, 9, 8), Actor(ActorRole.SYSTEM), None).urge_count == 4
    with pytest.raises(UserErrors):
        urge(_vn(2027, 3, 9, 9), Actor(ActorRole.SYSTEM), None)

    public = urging.public_view(petition["trackingCode"])
    assert public["urgeCount"] == 4 and public["version"] == version
    urges = [e["node"] for e in public["events"]["edges"] if e["node"]["action"] == "URGE"]
    assert [e["actorRole"] for e in urges] == ["COORDINATOR"] * 3 + ["SYSTEM"]
    assert asyncio.run(_differences(urging_database)) == []


def test_a_coordinator_must_pass_the_version(urging: Workflow, urging_database: str) -> None:
    petition, _ = urging.assigned("BTC")
    pid = _petition_id(petition["trackingCode"])
    with pytest.raises(UserErrors) as raised:
        asyncio.run(
            _urge_at(urging_database, pid, _vn(2027, 4, 6, 9), Actor(ActorRole.COORDINATOR), None)
        )
    assert [p.code for p in raised.value.problems] == ["REQUIRED"]


# --- the figures -----------------------------------------------------------

RANKING = """query($metric: RankingMetric!) { agencyRanking(metric: $metric) {
  minimumPetitions
  ranked { rank value agency { code } stats { received urged } }
  tooFewPetitions { agency { code } } } }"""


def test_urged_is_counted_ranked_and_reported(urging: Workflow, urging_database: str) -> None:
    tokens = urging.tokens
    for agency, urges in (("BTC", 2), ("BYT", 1)):
        for _ in range(urges):
            petition, _ = urging.assigned(agency)
            urging.act("urge", tokens.coordinator, petition, note=NOTE)
    moved, _ = urging.in_progress()
    moved = urging.act("urge", tokens.coordinator, moved, note=NOTE)
    urging.act("transfer", tokens.coordinator, moved, agencyCode="BYT")  # the urge goes along
    answered, _ = urging.in_progress()
    answered = urging.act("urge", tokens.coordinator, answered, note=NOTE)
    urging.act("answer", tokens.btc, answered, body=ANSWER_TEXT)  # urged stays counted

    assert asyncio.run(_differences(urging_database)) == []
    stats = check_against_reader(urging.server, {})
    assert stats["totals"]["urged"] >= 5
    today = now().date().isoformat()
    check_against_reader(urging.server, {"from": today, "to": today, "agencyCodes": ["BYT"]})

    nodes = fetch_list(urging.server, {})
    by_agency: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        if node["agency"]:
            by_agency.setdefault(node["agency"]["code"], []).append(node)
    ranking = urging.server.gql(RANKING, {"metric": "MOST_URGED"})["agencyRanking"]
    assert ranking["minimumPetitions"] == 1
    ranked = [(r["agency"]["code"], r["value"]) for r in ranking["ranked"]]
    expected = sorted(
        (
            (code, sum(1 for n in group if n["urgeCount"] > 0) / len(group))
            for code, group in by_agency.items()
        ),
        key=lambda e: (e[1], e[0]),
    )
    assert ranked == [(c, pytest.approx(v)) for c, v in expected]
    assert [r["rank"] for r in ranking["ranked"]] == list(range(1, len(expected) + 1))
    assert ranking["ranked"][0]["value"] <= ranking["ranked"][-1]["value"], "least urged first"

    quarter = Quarter.containing(now())
    report = urging.server.gql(
        "query($y: Int!, $q: Int!) { quarterlyReport(year: $y, quarter: $q) { "
        "totals { urged } previousTotals { urged } change { urged overdueEver } "
        "byAgency { agency { code } stats { urged } } "
        "delaying { mostUrged { agency { code name } count } } } }",
        {"y": quarter.year, "q": quarter.quarter},
    )["quarterlyReport"]
    urged_by_agency = {r["agency"]["code"]: r["stats"]["urged"] for r in report["byAgency"]}
    top = sorted(
        ((c, n) for c, n in urged_by_agency.items() if n > 0), key=lambda e: (-e[1], e[0])
    )[:5]
    listed = report["delaying"]["mostUrged"]
    assert [(e["agency"]["code"], e["count"]) for e in listed] == top and top
    change = report["change"]
    assert change["urged"] == report["totals"]["urged"] - report["previousTotals"]["urged"]
    page = urging.server.client.get(f"/reports/{quarter.label}")
    assert page.status_code == 200 and "Most urged by the Government Office" in page.text
    for entry in listed:
        assert html.escape(entry["agency"]["name"]) in page.text


def test_the_exports_carry_the_counts(urging: Workflow) -> None:
    petition, _ = urging.assigned("BTC")
    urging.act("urge", urging.tokens.coordinator, petition, note=NOTE)
    code = petition["trackingCode"]
    lines = urging.server.client.get("/export/petitions.csv").text.splitlines()
    header = lines[0].lstrip("\ufeff").split(",")
    assert header[-4:-2] == ["urge_count", "overdue_count"]  # then #18's two columns
    [row] = [line for line in lines if line.startswith(code + ",")]
    assert row.split(",")[-4:-2] == ["1", "0"]
    stats = urging.server.client.get("/export/stats.csv").text.splitlines()
    assert stats[0].lstrip("\ufeff").split(",")[-2:] == ["urged", "overdue_ever"]
    total = stats[1].split(",")
    assert total[0] == "total" and int(total[-2]) >= 1


def test_the_report_s_delaying_lists_cost_their_five() -> None:
    """mostUrged and its siblings hold at most five agencies (schema/cost.py's LIST_MAXIMA,
    keyed by the type that holds them: DelayingAgencies)."""
    schema = build_schema(Settings(secret_key="cost"))._schema
    delaying = ("mostOverdue", "mostTransferRequests", "mostEscalations", "mostUrged")
    for name in delaying:
        query = (
            f"{{ quarterlyReport(year: 2026, quarter: 1) {{ delaying {{ {name} {{ count }} }} }} }}"
        )
        assert plan_cost(schema, parse(query), None).cost(None) == 1 + 1 + 5, name
