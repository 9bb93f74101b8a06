"""Open-data exports, the record: `/export/petitions.csv` and `.ndjson`, `/export/stats.csv`
and `pakn export petitions` serve what GraphQL answers for the same filter, refuse a bad
filter before the first byte, and hold no personal data.

Each database test runs on SQLite and PostgreSQL against a real server (the session's demo
body). How values are written is in test_export_encoding.py; batches and memory in
test_export_streaming.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from app import cli
from app.services.filters import FilterArgs, FilterError, args_from_params
from tests.support.exports import _codes, as_csv_text, get_export, graphql_rows
from tests.support.records import csv_records, ndjson_records, personal_data
from tests.support.server import HttpServer, RunningServer

# --- the record, over HTTP -------------------------------------------------


@pytest.fixture(scope="module")
def everything(demo_server: RunningServer) -> list[dict[str, Any]]:
    return graphql_rows(demo_server)


def test_csv_equals_the_graphql_list(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    response = get_export(demo_server, "csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "charset=utf-8" in response.headers["content-type"]
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="pakn-petitions-' in disposition
    assert disposition.endswith('.csv"')
    assert response.content.startswith("\ufeff".encode() + b"tracking_code,channel,")

    records = csv_records(response.content)
    assert _codes(records) == _codes(everything)
    assert records == [as_csv_text(r) for r in everything]
    assert any(r["answer_count"] not in ("0", "1") for r in records), "some have follow-ups"
    assert all(r["submitted_at"].endswith("+07:00") for r in records)


def test_ndjson_is_one_json_object_per_line(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    response = get_export(demo_server, "ndjson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["content-disposition"].endswith('.ndjson"')
    assert not response.content.startswith("\ufeff".encode())
    assert ndjson_records(response.content) == everything


FILTERS: list[tuple[list[tuple[str, str]], dict[str, Any]]] = [
    ([("statuses", "IN_PROGRESS,ESCALATED")], {"statuses": ["IN_PROGRESS", "ESCALATED"]}),
    (
        [("statuses", "answered"), ("statuses", "CLOSED")],
        {"statuses": ["ANSWERED", "CLOSED"]},
    ),
    (
        [("channel", "BUSINESS"), ("kind", "RECOMMENDATION")],
        {"channel": "BUSINESS", "kind": "RECOMMENDATION"},
    ),
    ([("overdue", "true")], {"overdue": True}),
    (
        [("overdue", "false"), ("provinceCodes", "01,79")],
        {"overdue": False, "provinceCodes": ["01", "79"]},
    ),
    ([("search", "thu tuc dat dai")], {"search": "thu tuc dat dai"}),
]


def test_filters_keep_what_the_graphql_filter_keeps(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    middle = everything[len(everything) // 2]["submitted_at"]
    late = everything[3 * len(everything) // 4]["submitted_at"]
    agency = next(r["agency_code"] for r in everything if r["agency_code"])
    field = next(r["field_code"] for r in everything if r["field_code"])
    cases = [
        *FILTERS,
        (
            [("submittedFrom", middle), ("submittedTo", late)],
            {"submittedFrom": middle, "submittedTo": late},
        ),
        (
            [("agencyCodes", agency), ("fieldCodes", field)],
            {"agencyCodes": [agency], "fieldCodes": [field]},
        ),
    ]
    for params, flt in cases:
        expected = graphql_rows(demo_server, flt)
        assert 0 < len(expected) < len(everything), f"{flt} tells nothing apart"
        got = csv_records(get_export(demo_server, "csv", params).content)
        assert got == [as_csv_text(r) for r in expected], params
        assert ndjson_records(get_export(demo_server, "ndjson", params).content) == expected


def test_an_unencoded_plus_in_an_offset_is_understood(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    middle = everything[len(everything) // 2]["submitted_at"]
    assert middle.endswith("+07:00")
    url = f"/export/petitions.csv?submittedFrom={middle}"  # "+" arrives as a space
    records = csv_records(demo_server.client.get(url).content)
    assert records and records[0]["submitted_at"] == middle


BAD = [
    ([("agencyCodes", "NO-SUCH-AGENCY")], "UNKNOWN_CODE"),
    ([("fieldCodes", "NO_SUCH_FIELD")], "UNKNOWN_CODE"),
    ([("provinceCodes", "99")], "UNKNOWN_CODE"),
    (
        [
            ("submittedFrom", "2026-02-01T00:00:00+07:00"),
            ("submittedTo", "2026-01-01T00:00:00+07:00"),
        ],
        "INVALID_DATE_RANGE",
    ),
    ([("search", "!!! ...")], "INVALID_SEARCH"),
    ([("statuses", "OPEN")], "BAD_REQUEST"),
    ([("statuses", "ANSWERED,")], "BAD_REQUEST"),
    ([("channel", "PRESS")], "BAD_REQUEST"),
    ([("channel", "CITIZEN"), ("channel", "BUSINESS")], "BAD_REQUEST"),
    ([("kind", "")], "BAD_REQUEST"),
    ([("submittedFrom", "yesterday")], "BAD_REQUEST"),
    ([("submittedFrom", "2026-01-01T00:00:00")], "BAD_REQUEST"),
    ([("overdue", "maybe")], "BAD_REQUEST"),
    ([("status", "ANSWERED")], "BAD_REQUEST"),
    ([("bom", "perhaps")], "BAD_REQUEST"),
]


@pytest.mark.parametrize(("params", "code"), BAD)
def test_bad_filters_get_400_and_no_partial_body(
    demo_server: RunningServer, params: list[tuple[str, str]], code: str
) -> None:
    response = get_export(demo_server, "csv", params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert "content-disposition" not in response.headers
    payload = orjson.loads(response.content)  # the whole body is the error document
    assert [e["extensions"]["code"] for e in payload["errors"]] == [code]
    assert payload["errors"][0]["message"]


def test_head_checks_the_filter_and_reads_no_rows(demo_server: RunningServer) -> None:
    demo_server.log.clear()
    response = demo_server.client.head("/export/petitions.csv", params={"statuses": "CLOSED"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert not [s for s in demo_server.log.statements if "tracking_code" in s]
    refused = demo_server.client.head("/export/petitions.ndjson", params={"agencyCodes": "NOPE"})
    assert refused.status_code == 400


def test_bom_can_be_left_out(demo_server: RunningServer) -> None:
    with_bom = get_export(demo_server, "csv", [("statuses", "CLOSED")]).content
    without = get_export(demo_server, "csv", [("statuses", "CLOSED"), ("bom", "false")]).content
    assert with_bom == "\ufeff".encode() + without


def test_exports_hold_no_personal_data(demo_server: RunningServer, demo_database: str) -> None:
    contacts, private_texts = asyncio.run(personal_data(demo_database))
    assert contacts and private_texts, "demo data has contacts and private petitions"
    for fmt in ("csv", "ndjson"):
        data = get_export(demo_server, fmt).content
        text = data.decode("utf-8-sig")
        assert not [value for value in contacts if len(value) >= 6 and value in text], fmt
        assert not [value for value in private_texts if value in text], fmt
        records = csv_records(data) if fmt == "csv" else ndjson_records(data)
        private = [r for r in records if r["is_private"] in ("true", True)]
        assert private
        empty = "" if fmt == "csv" else None
        assert all(r["title"] == empty and r["body"] == empty for r in private)


def test_the_cli_writes_what_the_endpoint_serves(
    demo_server: RunningServer,
    demo_database: str,
    everything: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PAKN_DATABASE_URL", demo_database)
    agency = next(r["agency_code"] for r in everything if r["agency_code"])
    for fmt in ("csv", "ndjson"):
        output = tmp_path / f"all.{fmt}"
        assert cli.main(["export", "petitions", "--format", fmt, "--output", str(output)]) == 0
        assert output.read_bytes() == get_export(demo_server, fmt).content
        assert f"{len(everything):,}/{len(everything):,} rows" in capsys.readouterr().err

    output = tmp_path / "some.csv"
    args = ["--status", "ANSWERED", "--status", "closed", "--agency", agency, "--no-overdue"]
    assert cli.main(["export", "petitions", "--output", str(output), *args]) == 0
    params = [("statuses", "ANSWERED,CLOSED"), ("agencyCodes", agency), ("overdue", "false")]
    expected = get_export(demo_server, "csv", params).content
    assert output.read_bytes() == expected
    assert len(csv_records(expected)) > 0

    refused = tmp_path / "refused.csv"
    assert cli.main(["export", "petitions", "--output", str(refused), "--agency", "NOPE"]) == 2
    assert "UNKNOWN_CODE" in capsys.readouterr().err
    assert not refused.exists() and not list(tmp_path.glob("*.part"))


# --- statistics ------------------------------------------------------------

STATS = """
query Stats($filter: StatsFilter) { stats(filter: $filter) {
  totals { ...Figures }
  byAgency { agency { code } stats { ...Figures } }
  byField { field { code } stats { ...Figures } }
  byProvince { province { code } stats { ...Figures } }
  byMonth { month stats { ...Figures } }
  byIntakeChannel { intakeChannel stats { ...Figures } }
} }
fragment Figures on StatsRow {
  received answered answeredOnTime onTimeRate overdueOpen escalated followUps rejected
  medianResponseWorkingDays p90ResponseWorkingDays averageRating ratingCounts
  urged overdueEver
}
"""


def graphql_stats_lines(server: HttpServer, flt: dict[str, Any] | None) -> list[list[str]]:
    """Query.stats with `flt` as the lines /export/stats.csv should hold."""
    data = server.gql(STATS, {"filter": flt})["stats"]

    def line(breakdown: str, key: str, row: dict[str, Any]) -> list[str]:
        values = [
            row["received"],
            row["answered"],
            row["answeredOnTime"],
            row["onTimeRate"],
            row["overdueOpen"],
            row["escalated"],
            row["followUps"],
            row["rejected"],
            row["medianResponseWorkingDays"],
            row["p90ResponseWorkingDays"],
            row["averageRating"],
            *row["ratingCounts"],
            row["urged"],
            row["overdueEver"],
        ]
        return [breakdown, key, *("" if v is None else str(v) for v in values)]

    lines = [line("total", "", data["totals"])]
    lines += [line("agency", r["agency"]["code"], r["stats"]) for r in data["byAgency"]]
    lines += [line("field", r["field"]["code"], r["stats"]) for r in data["byField"]]
    lines += [line("province", r["province"]["code"], r["stats"]) for r in data["byProvince"]]
    lines += [line("month", r["month"], r["stats"]) for r in data["byMonth"]]
    lines += [
        line("intake_channel", r["intakeChannel"], r["stats"]) for r in data["byIntakeChannel"]
    ]
    return lines


def test_stats_csv_holds_the_figures_of_query_stats(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    agency = next(r["agency_code"] for r in everything if r["agency_code"])
    first_day = everything[len(everything) // 3]["submitted_at"][:10]
    last_day = everything[2 * len(everything) // 3]["submitted_at"][:10]
    cases: list[tuple[list[tuple[str, str]], dict[str, Any] | None]] = [
        ([], None),
        (
            [("from", first_day), ("to", last_day), ("channel", "citizen")],
            {"from": first_day, "to": last_day, "channel": "CITIZEN"},
        ),
        ([("agencyCodes", agency)], {"agencyCodes": [agency]}),
    ]
    for params, flt in cases:
        response = demo_server.client.get("/export/stats.csv", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert 'filename="pakn-stats-' in response.headers["content-disposition"]
        assert response.content.startswith("\ufeff".encode())
        assert response.content.endswith(b"\r\n")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
        assert rows[0][:3] == ["breakdown", "key", "received"]
        assert rows[1:] == graphql_stats_lines(demo_server, flt), params
        assert {row[0] for row in rows[1:]} >= {"total", "agency", "month"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ([("from", "2026-03-01"), ("to", "2026-02-01")], "INVALID_DATE_RANGE"),
        ([("from", "2026-13-01")], "BAD_REQUEST"),
        ([("to", "2026-01-01"), ("to", "2026-02-01")], "BAD_REQUEST"),
        ([("statuses", "ANSWERED")], "BAD_REQUEST"),
        ([("agencyCodes", "NOPE")], "UNKNOWN_CODE"),
        ([("kind", "COMPLAINT")], "BAD_REQUEST"),
    ],
)
def test_stats_csv_refuses_bad_filters(
    demo_server: RunningServer, params: list[tuple[str, str]], code: str
) -> None:
    response = demo_server.client.get("/export/stats.csv", params=params)
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in orjson.loads(response.content)["errors"]] == [code]


# --- query parameters, no database -----------------------------------------


def test_query_parameters_become_filter_args() -> None:
    args = args_from_params(
        [
            ("statuses", "answered, closed"),
            ("statuses", "ESCALATED"),
            ("agencyCodes", "BTC"),
            ("channel", "citizen"),
            ("submittedFrom", "2026-01-01T00:00:00 07:00"),
            ("submittedTo", "2026-02-01T00:00:00Z"),
            ("overdue", "False"),
            ("search", "đất đai"),
        ]
    )
    assert args == FilterArgs(
        statuses=("ANSWERED", "CLOSED", "ESCALATED"),
        agency_codes=("BTC",),
        channel="CITIZEN",
        submitted_from=datetime(2025, 12, 31, 17, tzinfo=UTC),
        submitted_to=datetime(2026, 2, 1, tzinfo=UTC),
        overdue=False,
        search="đất đai",
    )
    assert args_from_params([]) == FilterArgs()
    with pytest.raises(FilterError) as refused:
        args_from_params([("statuses", "OPEN")])
    assert refused.value.code == "BAD_REQUEST"
