"""The HTTP face of the open-data exports: GET /export/petitions.csv and .ndjson.

The whole request is checked (parameters parsed, codes looked up) before the first byte
is sent, so a bad filter gets a 400 JSON error in the format of every other HTTP error and
no partial body; a good one gets a streamed 200.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from app.export import (
    MEDIA_TYPES,
    ExportFormat,
    code_lookup,
    filename,
    petition_export,
    stats_csv,
    stats_lines,
)
from app.http import error_body
from app.petition_filter import FilterError, args_from_params, build_filter
from app.stats import WindowError, local_window
from app.timezone import now as current_time

STATS_FILTERS = frozenset({"agencyCodes", "fieldCodes", "provinceCodes", "channel", "kind"})
"""The StatsFilter's fields other than its dates (`from`, `to`)."""


def _refusal(error: FilterError) -> Response:
    body = error_body(error.code, error.message, **error.details)
    return Response(body, 400, media_type="application/json")


def _headers(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def _bom(values: list[str]) -> bool:
    if not values:
        return True
    if len(values) > 1 or values[0].strip().lower() not in ("true", "false"):
        raise FilterError("BAD_REQUEST", "`bom` takes true or false, once.", parameter="bom")
    return values[0].strip().lower() == "true"


def petitions_endpoint(
    engine: AsyncEngine, fmt: ExportFormat
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        params = request.query_params.multi_items()
        now = current_time()
        try:
            bom = _bom([v for k, v in params if k == "bom"]) if fmt is ExportFormat.CSV else False
            args = args_from_params(
                (k, v) for k, v in params if not (fmt is ExportFormat.CSV and k == "bom")
            )
            flt = await build_filter(args, code_lookup(engine), now)
        except FilterError as error:
            return _refusal(error)
        headers = _headers(filename(fmt, now))
        if request.method == "HEAD":  # the headers only: never read the rows for nothing
            return Response(None, media_type=MEDIA_TYPES[fmt], headers=headers)
        return StreamingResponse(
            petition_export(engine, flt, fmt, now, bom=bom),
            media_type=MEDIA_TYPES[fmt],
            headers=headers,
        )

    return endpoint


def _date(name: str, values: list[str]) -> date | None:
    if not values:
        return None
    try:
        if len(values) > 1:
            raise ValueError
        return date.fromisoformat(values[0].strip())
    except ValueError:
        raise FilterError(
            "BAD_REQUEST", f"`{name}` takes one date, YYYY-MM-DD.", parameter=name
        ) from None


def stats_endpoint(engine: AsyncEngine) -> Callable[[Request], Awaitable[Response]]:
    """GET /export/stats.csv: the figures of `Query.stats`, with the StatsFilter as query
    parameters (`from`, `to` as local dates, inclusive)."""

    async def endpoint(request: Request) -> Response:
        params = request.query_params.multi_items()
        now = current_time()
        dates = ("from", "to", "bom")
        try:
            bom = _bom([v for k, v in params if k == "bom"])
            start = _date("from", [v for k, v in params if k == "from"])
            end = _date("to", [v for k, v in params if k == "to"])
            try:
                low, high = local_window(start, end)
            except WindowError as error:
                raise FilterError("INVALID_DATE_RANGE", str(error)) from None
            args = args_from_params(((k, v) for k, v in params if k not in dates), STATS_FILTERS)
            flt = await build_filter(args, code_lookup(engine), now)
        except FilterError as error:
            return _refusal(error)
        flt = dataclasses.replace(flt, submitted_from=low, submitted_to=high, now=None)
        body = stats_csv(await stats_lines(engine, flt, now), bom)
        name = f"pakn-stats-{filename(ExportFormat.CSV, now).removeprefix('pakn-petitions-')}"
        return Response(body, media_type=MEDIA_TYPES[ExportFormat.CSV], headers=_headers(name))

    return endpoint
