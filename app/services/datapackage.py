"""The Frictionless Data Package descriptor of the open-data exports (Data Package v1).

A descriptor tells a tool how to read a file right: `province_code` is a string (`01`
keeps its zero), `submitted_at` a datetime with its format, `is_private` a boolean written
`true`/`false`, the CSV's dialect and encoding, the primary key and the licence. It is
made from the one list of the columns (`app.services.export_columns`).

Two descriptors, two places:
- `served_package`, for `GET /export/datapackage.json[?filter]`: the petitions as CSV and
  as NDJSON and the statistics CSV, each `path` relative to the descriptor's URL
  (`petitions.csv?<the same filter>`). Relative, so the descriptor is right however the
  server is reached (its own address, a proxy, a mirror) and the same bytes for everyone.
  `frictionless validate <URL of the descriptor>` reads the data from the server; saved
  beside files downloaded under those names, it works offline too.
- `file_package`, written by `pakn export petitions --output FILE` beside FILE as
  `FILE.datapackage.json`: that one file as a local resource (its name, relative), so
  `frictionless validate FILE.datapackage.json` works offline.

The CSV resources are Tabular Data Resources; the NDJSON one is a Data Resource with the
same schema (v1's tabular profile is for CSV and inline data only), so the package's
profile is `data-package`. Frictionless reads NDJSON through the `jsonlines` package
(`pip install "frictionless[json]"`). The UTF-8 byte-order mark at the start of the CSV
(`bom=false` leaves it out) has no dialect property in v1: encoding `utf-8` covers it, and
frictionless, pandas and R skip it.

Only public columns are described: nothing of the petitioner (name, e-mail, phone,
address, organisation, tax number) is exported, so nothing of them is named here.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson

from app.domain.timezone import to_local
from app.services.csv_cells import FORMULA_STARTS
from app.services.export import ExportFormat
from app.services.export_columns import (
    PETITION_FIELDS,
    PRIMARY_KEY,
    STATS_FIELDS,
    STATS_PRIMARY_KEY,
    Column,
)

LICENSE: dict[str, str] = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International",
}
"""The licence of the published record: anyone may copy, redistribute, adapt and build on
it, for any purpose, crediting the source (the standard for government open data)."""

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
"""How exports write a time (`2026-03-04T09:15:02+07:00`), as Table Schema's strptime
pattern; `%z` takes the `+07:00` offset."""

TRUE_VALUES = ("true",)
FALSE_VALUES = ("false",)

CSV_DIALECT: dict[str, Any] = {
    "csvddfVersion": 1.2,
    "delimiter": ",",
    "lineTerminator": "\r\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "skipInitialSpace": False,
    "header": True,
}
"""RFC 4180 as `app.services.export` writes it."""

_MEDIA_TYPES = {ExportFormat.CSV: "text/csv", ExportFormat.NDJSON: "application/x-ndjson"}
_NAMED = {"\t": "a tab", "\r": "a carriage return"}
_FIRSTS = [_NAMED.get(c, f"`{c}`") for c in FORMULA_STARTS]
_STARTS = ", ".join(_FIRSTS[:-1]) + " or " + _FIRSTS[-1]
_PETITIONS = (
    "The public record of petitions (phản ánh, kiến nghị) to the Government of Vietnam, one "
    "row per petition, in submission order. Nothing of the petitioner is included; a private "
    "petition's title and body are left out, and no petition's answer text, progress notes "
    "or rating comment is exported (the API withholds a private petition's from the public "
    "too; its answers' seals and body hashes stay public). Times are ISO 8601 in "
    "Asia/Ho_Chi_Minh with "
    "the +07:00 offset, to the second; `is_overdue` is as of the moment of the export."
)
_CSV = (
    " CSV (RFC 4180), UTF-8 with a byte-order mark (`bom=false` leaves it out); empty means "
    f"null. A text cell that starts with {_STARTS} has a `'` put before it, so that a "
    "spreadsheet does not take it for a formula."
)


def field_descriptor(column: Column) -> dict[str, Any]:
    """A Table Schema field for `column`."""
    field: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "description": column.description,
    }
    if column.type == "datetime":
        field["format"] = DATETIME_FORMAT
    elif column.type == "boolean":
        field["trueValues"] = list(TRUE_VALUES)
        field["falseValues"] = list(FALSE_VALUES)
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    if column.maximum is not None:
        constraints["maximum"] = column.maximum
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(columns: tuple[Column, ...], primary_key: tuple[str, ...]) -> dict[str, Any]:
    return {
        "fields": [field_descriptor(column) for column in columns],
        "primaryKey": list(primary_key),
        "missingValues": [""],
    }


def petitions_resource(name: str, path: str, fmt: ExportFormat) -> dict[str, Any]:
    """The petition export at `path` (relative to the descriptor, or a URL) in `fmt`."""
    as_csv = fmt is ExportFormat.CSV
    resource: dict[str, Any] = {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource" if as_csv else "data-resource",
        "title": f"Petitions ({fmt.value.upper()})",
        "description": _PETITIONS
        + (_CSV if as_csv else " NDJSON: one JSON object per line, keys as the fields."),
        "format": fmt.value,
        "mediatype": _MEDIA_TYPES[fmt],
        "encoding": "utf-8",
    }
    if as_csv:
        resource["dialect"] = CSV_DIALECT
    resource["schema"] = table_schema(PETITION_FIELDS, PRIMARY_KEY)
    return resource


def stats_resource(path: str) -> dict[str, Any]:
    return {
        "name": "stats",
        "path": path,
        "profile": "tabular-data-resource",
        "title": "Statistics",
        "description": "The figures of the API's `Query.stats`: the totals, then one line per "
        "agency, field and province (by code) and per month, over the petitions submitted in "
        "the window (local dates, inclusive). Rates and averages are decimal fractions." + _CSV,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": CSV_DIALECT,
        "schema": table_schema(STATS_FIELDS, STATS_PRIMARY_KEY),
    }


def _package(description: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "profile": "data-package",
        "name": "pakn-petitions",
        "title": "Phản ánh, kiến nghị: Vietnam's public petition record",
        "description": description,
        "licenses": [LICENSE],
        "keywords": ["petitions", "phản ánh", "kiến nghị", "government", "Vietnam"],
        "resources": resources,
    }


def served_package(petitions_query: str, stats_query: str) -> dict[str, Any]:
    """The descriptor served at /export/datapackage.json; `petitions_query` and
    `stats_query` are the exports' query strings (`?...`, or empty for everything)."""
    return _package(
        "The petition record as CSV and NDJSON, and its statistics, from pakn. Paths are "
        "relative to this descriptor's URL and carry its filter; the statistics take the "
        "filter's agencies, fields, provinces, channel and kind.",
        [
            petitions_resource("petitions", f"petitions.csv{petitions_query}", ExportFormat.CSV),
            petitions_resource(
                "petitions-ndjson", f"petitions.ndjson{petitions_query}", ExportFormat.NDJSON
            ),
            stats_resource(f"stats.csv{stats_query}"),
        ],
    )


def file_package(filename: str, fmt: ExportFormat, query: str, created: datetime) -> dict[str, Any]:
    """The descriptor of one exported file, named `filename` beside it; `query` is the
    export's filter as query parameters (empty for everything), for the record."""
    package = _package(
        "The petition record exported by `pakn export petitions`"
        + (f" with the filter `{query}`." if query else ", unfiltered."),
        [petitions_resource("petitions", filename, fmt)],
    )
    package["created"] = to_local(created).isoformat(timespec="seconds")
    return package


CHECKPOINT_PROPERTY = "pakn:logCheckpoint"
CHECKPOINT_HEADER = "Pakn-Log-Checkpoint"


def checkpoint_text(checkpoint: tuple[int, bytes]) -> str:
    """`<tree size> <base64 root>`: the `Pakn-Log-Checkpoint` header's value."""
    size, root = checkpoint
    return f"{size} {base64.b64encode(root).decode()}"


def with_checkpoint(package: dict[str, Any], checkpoint: tuple[int, bytes] | None) -> None:
    """Name in the descriptor the transparency log's checkpoint current when the data was
    read, so that a researcher can later show the dataset matches the log."""
    if checkpoint is not None:
        size, root = checkpoint
        package[CHECKPOINT_PROPERTY] = {
            "treeSize": size,
            "rootHash": base64.b64encode(root).decode(),
            "checkpoint": "/log/checkpoint",
        }


def descriptor_json(package: dict[str, Any]) -> bytes:
    """A descriptor as the bytes served and written: UTF-8 JSON, indented, a final LF."""
    return orjson.dumps(package, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
