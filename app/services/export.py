"""Open-data exports of the public petition record: rows -> CSV or NDJSON bytes, streamed.

One async generator (`petition_export`) turns the batches of `db.queries.export` into
encoded chunks; the HTTP routes and `pakn export` both stream it, so both write the same
bytes. Memory stays at a batch or two whatever the size of the export. `stats_lines` and
`stats_csv` give /export/stats.csv, the figures of `Query.stats` (a few hundred lines).

CSV follows RFC 4180: a header row, CRLF line endings, fields holding a comma, a double
quote or a line break quoted, quotes doubled. It is UTF-8 with a byte-order mark by
default, because Excel (what most readers in Vietnam open a CSV with) reads a CSV without
one in the Windows ANSI code page and garbles every diacritic; `bom=false` leaves it out
for tools that do not skip it. NDJSON is one JSON object per line (LF), UTF-8, no BOM.

Values are those of the GraphQL API: enums by name, booleans `true`/`false`, times ISO
8601 in Asia/Ho_Chi_Minh (+07:00), always to the second so that every value of a column
has one shape. CSV writes a missing value (null) as an empty field; NDJSON writes null,
and a private petition's title and body are null there, empty in CSV. A CSV text cell
that a spreadsheet would take for a formula gets a leading `'` (`defused`); NDJSON text
is as stored.

`PETITION_FIELDS` and `STATS_FIELDS` are the one list of the columns, with their types
and meaning; `app.services.datapackage` describes the exports from them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.domain.stats import StatsRow
from app.domain.timezone import VN_TZ, to_local
from app.domain.visibility import public_text
from app.domain.vocabulary import is_overdue
from app.services.breakdowns import Breakdowns
from app.services.csv_cells import csv_field, csv_field_utf8, defused
from app.services.export_columns import COLUMNS, PETITION_FIELDS, STATS_COLUMNS
from app.services.filters import CodeLookup, FilterArgs
from db.queries import export as queries
from db.queries import reference
from db.queries.petitions import PetitionCriteria

BOM = "\ufeff".encode()
NDJSON_SLICE = 1000
LAYOUT_VERSION = "4"
"""Raise it when exports write other bytes for the same data (a column, a format, the
descriptor): it is part of the exports' ETags, so caches drop what an older pakn wrote.
2: times to the second, CSV formula cells defused, the Data Package descriptor.
3: the descriptor says what a private petition withholds.
4: the intake_channel and attachments columns (#18)."""


class ExportFormat(StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8; header=present",
    ExportFormat.NDJSON: "application/x-ndjson; charset=utf-8",
}

_VN_OFFSET = timedelta(hours=7)
_FIXED_OFFSET_SINCE = datetime(1975, 6, 13)
"""Asia/Ho_Chi_Minh has been UTC+7, without daylight saving, since this moment (UTC)."""


def local_iso(utc: datetime) -> str:
    """A naive UTC moment as exports write it: ISO 8601 in Vietnam's time, with offset,
    always to the second (fractions dropped), e.g. `2026-03-04T09:15:02+07:00`.

    One shape for every value, so tools parse a column with one format (pandas'
    `parse_dates` leaves a column that mixes `09:15:02` and `09:15:02.123456` as text).
    Equal to `to_local(utc.replace(tzinfo=UTC)).isoformat(timespec="seconds")` (a test
    holds it to that), without a time-zone lookup per value.
    """
    if utc < _FIXED_OFFSET_SINCE:
        return to_local(utc.replace(tzinfo=UTC)).isoformat(timespec="seconds")
    return (utc + _VN_OFFSET).isoformat(timespec="seconds") + "+07:00"


def _now_utc(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(tzinfo=None)


def _positions(names: Iterable[str]) -> tuple[int, ...]:
    return tuple(queries.COLUMNS.index(name) for name in names)


_TITLE, _BODY, _PRIVATE, _STATUS, _DEADLINE = _positions(
    ("title", "body", "is_private", "status", "deadline_at")
)
_TIMES = _positions(c.name for c in PETITION_FIELDS if c.type == "datetime")
_FLAGS = _positions(
    c.name for c in PETITION_FIELDS if c.type == "boolean" and c.name in queries.COLUMNS
)
_OVERDUE = COLUMNS.index("is_overdue")
(_FILES,) = _positions(("attachments",))


def sorted_digests(joined: str | None) -> str | None:
    """The digests a row's files joined into, in one order: sorted."""
    return " ".join(sorted(joined.split())) if joined else None


def public_values(rows: Iterable[Sequence[Any]], now: datetime) -> Iterator[tuple[Any, ...]]:
    """Each row of `db.queries.export` as the values of COLUMNS (None for null).

    Text is decoded; times become ISO 8601 strings in Vietnam's time; `is_overdue` is
    worked out as the API does, at `now`; a private petition's title and body become None
    (`app.domain.visibility.public_text`).
    Positions come from the row layout and the columns' types, so nothing is listed twice.
    """
    now_utc = _now_utc(now)
    iso = local_iso
    for row in rows:
        values = list(row[:-1])  # the keyset id is not exported
        private = row[_PRIVATE]
        values[_TITLE] = public_text(row[_TITLE].decode(), private)
        values[_BODY] = public_text(row[_BODY].decode(), private)
        for position in _TIMES:
            if values[position] is not None:
                values[position] = iso(values[position])
        for position in _FLAGS:
            if values[position] is not None:
                values[position] = bool(values[position])
        values[_FILES] = sorted_digests(values[_FILES])
        values.insert(_OVERDUE, is_overdue(row[_STATUS], row[_DEADLINE], now_utc))
        yield tuple(values)


def csv_header(bom: bool) -> bytes:
    return (BOM if bom else b"") + (",".join(COLUMNS) + "\r\n").encode()


def csv_lines(rows: Iterable[Sequence[Any]], now: datetime) -> bytes:
    """Rows of `db.queries.export` as UTF-8 CSV records of COLUMNS, each ending in CRLF.

    The same bytes as `csv.writer(lineterminator="\r\n")` writes for `public_values`
    with text cells `defused` (a test holds it to that), several times faster: the csv
    module is slow on Vietnamese text; this goes from the database row to the line in one
    step and copies the title's and body's UTF-8 bytes without decoding them. Only free
    text and codes can hold a comma, quote or line break or start like a formula; enum
    names, times, numbers and flags never do.
    """
    now_utc = _now_utc(now)
    iso, field, text_field = local_iso, csv_field, csv_field_utf8
    codes: dict[Any, str] = {None: ""}  # few distinct codes: each is checked once
    parts: list[bytes] = []
    add = parts.append
    for row in rows:
        (
            tracking_code,
            channel,
            kind,
            subject,
            title,
            body,
            is_private,
            field_code,
            province_code,
            status,
            agency_code,
            submitted_at,
            accepted_at,
            deadline_at,
            answered_at,
            response_working_days,
            answered_on_time,
            follow_up_count,
            rating_score,
            answer_count,
            latest_answer_at,
            urge_count,
            overdue_count,
            intake_channel,
            attachments,
            _id,
        ) = row
        for code in (field_code, province_code, agency_code):
            if code not in codes:
                codes[code] = field(code)
        add(f"{field(tracking_code)},{channel},{kind},{subject},".encode())
        if is_private:
            add(b",,true,")
        else:
            add(text_field(title))
            add(b",")
            add(text_field(body))
            add(b",false,")
        overdue = is_overdue(status, deadline_at, now_utc)
        add(
            ",".join(
                (
                    codes[field_code],
                    codes[province_code],
                    status,
                    codes[agency_code],
                    iso(submitted_at),
                    "" if accepted_at is None else iso(accepted_at),
                    "" if deadline_at is None else iso(deadline_at),
                    "true" if overdue else "false",
                    "" if answered_at is None else iso(answered_at),
                    "" if response_working_days is None else str(response_working_days),
                    "" if answered_on_time is None else ("true" if answered_on_time else "false"),
                    str(follow_up_count),
                    "" if rating_score is None else str(rating_score),
                    str(answer_count),
                    "" if latest_answer_at is None else iso(latest_answer_at),
                    str(urge_count),
                    str(overdue_count),
                    intake_channel,
                    sorted_digests(attachments) or "",
                )
            ).encode()
        )
        add(b"\r\n")
    return b"".join(parts)


def ndjson_lines(values: Iterable[tuple[Any, ...]]) -> bytes:
    option = orjson.OPT_APPEND_NEWLINE
    return b"".join(orjson.dumps(dict(zip(COLUMNS, v, strict=True)), option=option) for v in values)


def code_lookup(engine: AsyncEngine) -> CodeLookup:
    """Resolve agency and field codes to ids, asking the database once per kind."""
    fetch = {"agency": reference.agencies_by_codes, "field": reference.fields_by_codes}

    async def lookup(kind: str, codes: Sequence[str]) -> Mapping[str, int]:
        async with AsyncSession(engine) as session:
            return await fetch[kind](session, codes)

    return lookup


_FILTER_LISTS = (
    ("statuses", "statuses"),
    ("agencyCodes", "agency_codes"),
    ("fieldCodes", "field_codes"),
    ("provinceCodes", "province_codes"),
    ("intakeChannels", "intake_channels"),
)


def canonical_params(args: FilterArgs) -> list[tuple[str, str]]:
    """A filter as query parameters in one spelling for one meaning: lists sorted, without
    repeats, comma-separated; enum names as checked; times in Vietnam's time (+07:00).

    The exports' ETags are made from it, and the descriptor's paths carry it.
    """
    params: list[tuple[str, str]] = []
    for name, attribute in _FILTER_LISTS:
        values = getattr(args, attribute)
        if values:
            params.append((name, ",".join(sorted(set(values)))))
    for name, value in (("channel", args.channel), ("kind", args.kind)):
        if value is not None:
            params.append((name, value))
    for name, moment in (
        ("submittedFrom", args.submitted_from),
        ("submittedTo", args.submitted_to),
    ):
        if moment is not None:
            aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=VN_TZ)
            params.append((name, to_local(aware).isoformat()))
    if args.overdue is not None:
        params.append(("overdue", "true" if args.overdue else "false"))
    if args.search is not None:
        params.append(("search", args.search))
    return params


def query_string(params: Sequence[tuple[str, str]]) -> str:
    """`?a=b&...` with every value percent-encoded (a `+` as %2B), or empty."""
    return "?" + urlencode(params, quote_via=quote, safe=",:") if params else ""


def filename(fmt: ExportFormat, now: datetime) -> str:
    return f"pakn-petitions-{to_local(now):%Y%m%d}.{fmt.value}"


async def petition_export(
    engine: AsyncEngine,
    flt: PetitionCriteria,
    fmt: ExportFormat,
    now: datetime,
    *,
    bom: bool = True,
    batch_size: int = queries.DEFAULT_BATCH_SIZE,
    on_rows: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The whole export as encoded chunks: the CSV header, then a chunk per batch (CSV) or
    per slice of a batch (NDJSON).

    `on_rows` hears how many rows each chunk held (for a progress bar).
    """
    as_csv = fmt is ExportFormat.CSV
    if as_csv:
        yield csv_header(bom)
    async for rows in queries.batches(engine, flt, batch_size):
        if as_csv:
            yield csv_lines(rows, now)
        else:  # decoded text and a dict per row weigh more: encode a slice at a time
            for start in range(0, len(rows), NDJSON_SLICE):
                yield ndjson_lines(public_values(rows[start : start + NDJSON_SLICE], now))
        if on_rows is not None:
            on_rows(len(rows))


# --- statistics ------------------------------------------------------------

StatsLine = tuple[str, str, StatsRow]
"""(breakdown, key, figures): breakdown is total, agency, field, province, month or
intake_channel."""


async def stats_lines(engine: AsyncEngine, flt: PetitionCriteria, now: datetime) -> list[StatsLine]:
    """The figures of `Query.stats` with the same filter: the totals, then one line per
    agency, field, province (by code), month (YYYY-MM) and intake channel, as the API
    lists them."""
    async with AsyncSession(engine) as session:
        figures = Breakdowns(session, flt, now)
        lines: list[StatsLine] = [("total", "", await figures.totals())]
        lines += [("agency", row.agency.code, row.stats) for row in await figures.by_agency()]
        lines += [("field", row.field.code, row.stats) for row in await figures.by_field()]
        lines += [("province", row.province.code, row.stats) for row in await figures.by_province()]
        lines += [("month", row.month, row.stats) for row in await figures.by_month()]
        lines += [
            ("intake_channel", row.intake_channel, row.stats)
            for row in await figures.by_intake_channel()
        ]
    return lines


def _figure(name: str) -> Callable[[StatsRow], Any]:
    """How a line's figure `name` is read: `rating_N` is the N-th rating count, any other
    a StatsRow attribute of the same name."""
    if name.startswith("rating_"):
        index = int(name.removeprefix("rating_")) - 1
        return lambda row: row.rating_counts[index]
    return lambda row: getattr(row, name)


_FIGURES = tuple(_figure(name) for name in STATS_COLUMNS[2:])


def _figures(row: StatsRow) -> tuple[Any, ...]:
    """A line's figures in `STATS_COLUMNS` order."""
    return tuple(read(row) for read in _FIGURES)


def stats_csv(lines: Iterable[StatsLine], bom: bool) -> bytes:
    """Statistics lines as RFC 4180 CSV (the csv module: a few hundred lines at most).

    Keys are codes and months; `defused` all the same, like every CSV text cell."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STATS_COLUMNS)
    for breakdown, key, row in lines:
        writer.writerow((breakdown, defused(key), *_figures(row)))
    return (BOM if bom else b"") + buffer.getvalue().encode()
