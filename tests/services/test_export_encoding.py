"""Open-data exports, the values: Vietnamese text and RFC 4180 quoting round trip, times
are whole seconds that tools parse, text that starts like a spreadsheet formula is
defused in CSV only; and, without a database, the CSV lines are what the `csv` module
writes and local times are the API's to the second.

The database tests run on SQLite and PostgreSQL against a real server.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.stats import StatsRow
from app.domain.timezone import to_local
from app.services.csv_cells import FORMULA_STARTS
from app.services.export import csv_header, csv_lines, local_iso, public_values, stats_csv
from app.services.export_columns import COLUMNS, STATS_COLUMNS
from tests.support.exports import (
    TIME_COLUMNS,
    _codes,
    as_csv_text,
    get_export,
    graphql_rows,
    to_the_second,
)
from tests.support.records import csv_records, ndjson_records
from tests.support.server import RunningServer
from tests.support.workflow import Workflow

WHOLE_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")

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
    st.integers(0, 5),
    st.integers(0, 3),
    st.sampled_from(["ONLINE", "LETTER", "IN_PERSON"]),
    st.none() | st.sampled_from(["b" * 64, f"{'b' * 64} {'a' * 64}"]),
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


def test_stats_csv_defuses_its_keys() -> None:
    """No request writes a statistics key (codes of the reference data, months), but the
    statistics CSV holds its text cells to the petition CSV's rule all the same."""
    lines = [
        ("agency", first + "1+1", StatsRow(received=3, on_time_rate=0.5))
        for first in FORMULA_STARTS
    ]
    lines.append(("month", "2026-03", StatsRow()))
    rows = list(csv.reader(io.StringIO(stats_csv(lines, False).decode(), newline="")))
    assert tuple(rows[0]) == STATS_COLUMNS
    assert [row[1] for row in rows[1:]] == [f"'{first}1+1" for first in FORMULA_STARTS] + [
        "2026-03"
    ]
    assert rows[1][2] == "3" and rows[1][5] == "0.5"
