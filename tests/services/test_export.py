"""Open-data exports: the public record as CSV and NDJSON, streamed, with no personal data.

Each database test runs on SQLite and PostgreSQL against a real server; the exported rows
are held to the GraphQL list with the same filter.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import tracemalloc
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from app import cli
from app.domain.timezone import to_local
from app.services.csv_cells import FORMULA_STARTS
from app.services.export import (
    ExportFormat,
    code_lookup,
    csv_header,
    csv_lines,
    local_iso,
    petition_export,
    public_values,
)
from app.services.export_columns import COLUMNS, PETITION_FIELDS
from app.services.filters import FilterArgs, FilterError, args_from_params, criteria_from_args
from db.engine import open_engine
from db.queries import export as export_queries
from db.queries.petitions import PetitionCriteria
from tests.support.demo import load_demo
from tests.support.records import csv_records, ndjson_records, personal_data
from tests.support.server import HttpServer, RunningServer
from tests.support.workflow import Workflow

GRAPHQL_ROWS = """
query Rows($after: String, $filter: PetitionFilter) {
  petitions(first: 100, after: $after, filter: $filter,
            orderBy: {field: SUBMITTED_AT, direction: ASC}) {
    edges { node {
      trackingCode channel kind subject title body isPrivate field { code } provinceCode
      status agency { code } submittedAt acceptedAt deadlineAt isOverdue answeredAt
      responseWorkingDays answeredOnTime followUpCount rating { score }
      answers { answeredAt }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


# --- helpers ---------------------------------------------------------------

TIME_COLUMNS = tuple(c.name for c in PETITION_FIELDS if c.type == "datetime")
WHOLE_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")


def to_the_second(moment: str | None) -> str | None:
    """An API time as exports write it: the same ISO 8601 text without its fraction."""
    if moment is None:
        return None
    return datetime.fromisoformat(moment).replace(microsecond=0).isoformat()


def graphql_rows(server: HttpServer, flt: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The public list with `flt`, in submission order, as export records (typed values,
    times to the second)."""
    records: list[dict[str, Any]] = []
    for n in server.nodes(GRAPHQL_ROWS, {"filter": flt}):
        answers = n["answers"]
        records.append(
            {
                "tracking_code": n["trackingCode"],
                "channel": n["channel"],
                "kind": n["kind"],
                "subject": n["subject"],
                "title": n["title"],
                "body": n["body"],
                "is_private": n["isPrivate"],
                "field_code": n["field"] and n["field"]["code"],
                "province_code": n["provinceCode"],
                "status": n["status"],
                "agency_code": n["agency"] and n["agency"]["code"],
                "submitted_at": n["submittedAt"],
                "accepted_at": n["acceptedAt"],
                "deadline_at": n["deadlineAt"],
                "is_overdue": n["isOverdue"],
                "answered_at": n["answeredAt"],
                "response_working_days": n["responseWorkingDays"],
                "answered_on_time": n["answeredOnTime"],
                "follow_up_count": n["followUpCount"],
                "rating_score": n["rating"] and n["rating"]["score"],
                "answer_count": len(answers),
                "latest_answer_at": answers[-1]["answeredAt"] if answers else None,
            }
        )
        record = records[-1]
        for column in TIME_COLUMNS:
            record[column] = to_the_second(record[column])
    return records


def as_csv_text(record: dict[str, Any]) -> dict[str, str]:
    """What CSV makes of a typed record: null empty, booleans true/false, numbers decimal."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {key: text(value) for key, value in record.items()}


def get_export(
    server: HttpServer, fmt: str, params: list[tuple[str, str]] | None = None
) -> httpx.Response:
    return server.client.get(f"/export/petitions.{fmt}", params=params or [])


def _codes(records: list[dict[str, Any]]) -> list[str]:
    return [r["tracking_code"] for r in records]


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
} }
fragment Figures on StatsRow {
  received answered answeredOnTime onTimeRate overdueOpen escalated followUps rejected
  medianResponseWorkingDays p90ResponseWorkingDays averageRating ratingCounts
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
        ]
        return [breakdown, key, *("" if v is None else str(v) for v in values)]

    lines = [line("total", "", data["totals"])]
    lines += [line("agency", r["agency"]["code"], r["stats"]) for r in data["byAgency"]]
    lines += [line("field", r["field"]["code"], r["stats"]) for r in data["byField"]]
    lines += [line("province", r["province"]["code"], r["stats"]) for r in data["byProvince"]]
    lines += [line("month", r["month"], r["stats"]) for r in data["byMonth"]]
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


# --- text and quoting ------------------------------------------------------


def test_vietnamese_text_and_rfc_4180_quoting_round_trip(workflow: Workflow) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    title = 'Thủ tục "một cửa", chậm trễ; đề nghị xem xét'
    body = (
        "Dòng thứ nhất, có dấu phẩy.\n"
        'Dòng thứ hai có "ngoặc kép" và dấu ""kép"".\n\n'
        "Dòng cuối: Đắk Lắk, Thừa Thiên Huế, Bà Rịa – Vũng Tàu."
    )
    public = workflow.submit(
        title=unicodedata.normalize("NFD", title), body=unicodedata.normalize("NFD", body)
    )
    answered, _secret = workflow.answered()  # times with microseconds, an answer
    private_body = "Nội dung riêng tư không được công bố, mã số X-7731-Q, xin giữ kín."
    private = workflow.submit(title="Kiến nghị riêng tư về thuế", body=private_body, isPrivate=True)
    codes = [public["trackingCode"], answered["trackingCode"], private["trackingCode"]]

    since = started.isoformat()
    response = get_export(workflow.server, "csv", [("submittedFrom", since)])
    assert response.status_code == 200
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    quoted_title = '"Thủ tục ""một cửa"", chậm trễ; đề nghị xem xét"'
    assert quoted_title.encode() in raw
    assert ('"' + body.replace('"', '""') + '"').encode() in raw
    assert unicodedata.normalize("NFD", "Thủ tục").encode() not in raw
    assert b"X-7731-Q" not in raw and "riêng tư".encode() not in raw
    records = csv_records(raw)
    assert raw.count(b"\r\n") == len(records) + 1  # bodies hold LF only: CRLF ends records
    assert [c for c in _codes(records) if c in codes] == codes

    by_code = {r["tracking_code"]: r for r in records}
    assert by_code[codes[0]]["title"] == title and by_code[codes[0]]["body"] == body
    assert by_code[codes[2]]["title"] == "" and by_code[codes[2]]["body"] == ""
    assert by_code[codes[2]]["is_private"] == "true"

    expected = graphql_rows(workflow.server, {"submittedFrom": since})
    assert records == [as_csv_text(r) for r in expected]
    assert by_code[codes[1]]["answer_count"] == "1"
    assert "." in answered["acceptedAt"], "the API shows microseconds"
    assert by_code[codes[1]]["accepted_at"] == to_the_second(answered["acceptedAt"])
    ndjson = ndjson_records(
        get_export(workflow.server, "ndjson", [("submittedFrom", since)]).content
    )
    assert ndjson == expected


# --- values tools read right -----------------------------------------------


def test_times_are_to_the_second(demo_server: RunningServer) -> None:
    csv_rows = csv_records(demo_server.client.get("/export/petitions.csv").content)
    ndjson_rows = ndjson_records(demo_server.client.get("/export/petitions.ndjson").content)
    for rows in (csv_rows, ndjson_rows):
        values = [r[c] for r in rows for c in TIME_COLUMNS if r[c]]
        assert len(values) > len(rows)
        assert [v for v in values if not WHOLE_SECOND.fullmatch(v)] == []
    # ... and parse as one column with pandas' inference, with no format given.
    frame = pd.read_csv(
        io.BytesIO(demo_server.client.get("/export/petitions.csv").content),
        parse_dates=["submitted_at"],
        dtype={"province_code": "string"},
    )
    assert isinstance(frame["submitted_at"].dtype, pd.DatetimeTZDtype)


def test_text_that_starts_like_a_formula_is_defused_in_csv_only(workflow: Workflow) -> None:
    started = (datetime.now(UTC) - timedelta(seconds=2)).isoformat()
    title = '=HYPERLINK("http://example.test/x","Xem chi tiết hồ sơ")'
    body = "@SUM(1+1) cán bộ yêu cầu nộp thêm giấy tờ không có trong quy định, chậm trễ"
    formula = workflow.submit(title=title, body=body)["trackingCode"]
    dash = workflow.submit(title="- Thủ tục cấp phép xây dựng quá chậm")["trackingCode"]
    plain = workflow.submit()["trackingCode"]

    params = {"submittedFrom": started}
    raw = workflow.server.client.get("/export/petitions.csv", params=params).content
    by_code = {r["tracking_code"]: r for r in csv_records(raw)}
    assert by_code[formula]["title"] == "'" + title
    assert by_code[formula]["body"] == "'" + body
    assert by_code[dash]["title"] == "'- Thủ tục cấp phép xây dựng quá chậm"
    assert not by_code[plain]["title"].startswith("'")
    assert ('"\'=HYPERLINK(""http://example.test/x"",""Xem chi tiết hồ sơ"")"').encode() in raw

    ndjson = workflow.server.client.get("/export/petitions.ndjson", params=params).content
    raw_rows = {r["tracking_code"]: r for r in ndjson_records(ndjson)}
    assert raw_rows[formula]["title"] == title and raw_rows[formula]["body"] == body
    assert raw_rows[dash]["title"].startswith("- ")


# --- statements and memory -------------------------------------------------


async def _export_with_statements(url: str, batch_size: int) -> tuple[bytes, list[str]]:
    statements: list[str] = []
    async with open_engine(url) as engine:
        event.listen(
            engine.sync_engine,
            "before_cursor_execute",
            lambda _c, _cur, statement, *_a: statements.append(statement),
        )
        now = datetime.now(UTC)
        flt = await criteria_from_args(FilterArgs(), code_lookup(engine), now)
        chunks = [
            chunk
            async for chunk in petition_export(
                engine, flt, ExportFormat.CSV, now, batch_size=batch_size
            )
        ]
    return b"".join(chunks), statements


def test_one_statement_per_batch(demo_database: str, demo_server: RunningServer) -> None:
    data, statements = asyncio.run(_export_with_statements(demo_database, 50))
    rows = len(csv_records(data))
    assert rows > 150
    batches = rows // 50 + 1  # the last batch is short (or empty)
    selects = [s for s in statements if s.lstrip().upper().startswith(("WITH", "SELECT"))]
    assert len(selects) == batches
    assert len(set(selects)) == 1, "the same statement, with the last id bound"
    assert data == get_export(demo_server, "csv").content


MEMORY_PETITIONS = 20_000
MEMORY_BATCH = 1000


async def _peak_while_exporting(url: str) -> tuple[int, int, int]:
    """(rows, bytes written, tracemalloc peak above the start) of a full CSV export."""
    async with open_engine(url) as engine:
        now = datetime.now(UTC)
        flt = await criteria_from_args(FilterArgs(), code_lookup(engine), now)
        rows = 0

        def count(n: int) -> None:
            nonlocal rows
            rows += n

        written = 0
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            async for chunk in petition_export(
                engine, flt, ExportFormat.CSV, now, batch_size=MEMORY_BATCH, on_rows=count
            ):
                written += len(chunk)  # a sink: nothing kept
            peak = tracemalloc.get_traced_memory()[1] - start
        finally:
            tracemalloc.stop()
    return rows, written, peak


def test_memory_stays_flat_while_streaming(tmp_path: Path) -> None:
    """Ten times the rows, the same memory: an export holds a batch or two, not itself.

    With batches of 1,000 rows, a batch as read is ~1.5 MB (1 KB of text and 22 small
    objects a row), its encoded chunk ~1 MB, and the next batch is read ahead; with the
    statement cache and driver buffers the peak is ~5-6 MB at 2,000 rows and at 20,000
    alike. Streaming 16 MB more output may add at most 1.5 MB (caches warming up); keeping
    the export would add the 16 MB. (One database: the larger body is the smaller one and
    the petitions added to it.)
    """
    url = f"sqlite+aiosqlite:///{tmp_path / 'large.db'}"
    peaks, loaded = {}, 0
    for petitions in (MEMORY_PETITIONS // 10, MEMORY_PETITIONS):
        asyncio.run(load_demo(url, petitions - loaded, 3, prepare=loaded == 0))
        loaded = petitions
        rows, written, peak = asyncio.run(_peak_while_exporting(url))
        assert rows == petitions
        peaks[petitions] = (written, peak)
    (small_written, small_peak), (written, peak) = peaks.values()
    assert written - small_written > 15_000_000
    assert peak - small_peak < 1_500_000, peaks
    assert peak < 8_000_000, peaks


# --- units, no database ----------------------------------------------------

_INSTANTS = st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2100, 1, 1))


@given(_INSTANTS)
def test_local_iso_is_the_api_time_to_the_second(moment: datetime) -> None:
    expected = to_local(moment.replace(tzinfo=UTC)).replace(microsecond=0).isoformat()
    assert local_iso(moment) == expected


_TEXT = st.text(
    alphabet=st.sampled_from(list("aăâđêôơư AĂĐ,;\"'\r\n\t=+-ệẫỡ\u0301\u0323xyz0123")),
    max_size=40,
)
_MAYBE_TIME = st.none() | _INSTANTS
_ROW = st.tuples(
    st.text(alphabet="PAKN-0123456789", min_size=1, max_size=16),
    st.sampled_from(["CITIZEN", "BUSINESS"]),
    st.sampled_from(["REFLECTION", "RECOMMENDATION"]),
    st.sampled_from(["POLICY", "MECHANISM"]),
    _TEXT,
    _TEXT,
    st.booleans(),
    st.none() | _TEXT,
    st.none() | st.sampled_from(["01", "79"]),
    st.sampled_from(["SUBMITTED", "ASSIGNED", "ESCALATED", "ANSWERED", "CLOSED"]),
    st.none() | _TEXT,
    _INSTANTS,
    _MAYBE_TIME,
    _MAYBE_TIME,
    _MAYBE_TIME,
    st.none() | st.integers(0, 400),
    st.none() | st.booleans(),
    st.integers(0, 5),
    st.none() | st.integers(1, 5),
    st.integers(0, 5),
    _MAYBE_TIME,
    st.integers(1, 10**9),
)


def _as_csv_cell(value: Any) -> Any:
    """What a CSV cell holds for a value: booleans as words, text that starts like a
    spreadsheet formula after a `'` (OWASP's rule, written out apart from app.services.export's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


@settings(max_examples=200)
@given(st.lists(_ROW, max_size=8), _INSTANTS)
def test_csv_lines_are_what_the_csv_module_writes(
    rows: list[tuple[Any, ...]], now: datetime
) -> None:
    db_rows = [(*r[:4], r[4].encode(), r[5].encode(), *r[6:]) for r in rows]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for values in public_values(db_rows, now.replace(tzinfo=UTC)):
        writer.writerow([_as_csv_cell(v) for v in values])
    expected = buffer.getvalue().encode()
    assert csv_header(False) + csv_lines(db_rows, now.replace(tzinfo=UTC)) == expected


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


def test_batches_stop_early_without_leaking(tmp_path: Path) -> None:
    """A consumer that stops after one batch leaves no read ahead running."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'early.db'}"
    asyncio.run(load_demo(url, 150, 5))  # one full batch and a read ahead

    async def first_batch() -> int:
        async with open_engine(url) as engine:
            stream = export_queries.batches(engine, PetitionCriteria(), 100)
            rows = await anext(stream)
            await stream.aclose()
            await asyncio.sleep(0.05)
            assert engine.pool.checkedout() == 0
            return len(rows)

    assert asyncio.run(first_batch()) == 100
