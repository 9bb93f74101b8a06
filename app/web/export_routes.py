"""The HTTP face of the open-data exports: /export/petitions.csv and .ndjson,
/export/stats.csv and /export/datapackage.json (the Frictionless descriptor of the others).

The whole request is checked (parameters parsed, codes looked up, `If-None-Match` read)
before the first byte is sent, so a bad request gets a 400 JSON error in the format of
every other HTTP error and no partial body; a good one gets a (streamed) 200.

Caching. Every export names its content with a weak ETag made of the normalised filter
(`canonical_params`), the resource and its format, the newest petition event's id (one
index lookup: every change writes an event) and today's date in Asia/Ho_Chi_Minh, since
`is_overdue` and `overdue_open` turn at local midnight with no event; plus
`LAYOUT_VERSION`. `Cache-Control: public, max-age=<PAKN_CACHE_SECONDS>`. A GET or HEAD
whose `If-None-Match` names the tag is answered 304 before any row is read. HEAD answers
GET's headers: the petition exports stream an empty body, reading no rows; the small
statistics CSV and descriptor are made, so their length is GET's. Bodies are not
compressed here (`app.web.compression` wraps every response).

Concurrent exports. A client address (`scope["client"]`, which the trusted-proxy rule
sets) may run `PAKN_MAX_EXPORTS_PER_CLIENT` exports at once in a worker (default 2; 0: no
limit): petitions as CSV or NDJSON, and the statistics CSV while its figures are worked
out (for a HEAD too: it works them out for its length). One more is refused before its
first byte with 429, `Retry-After` and the code TOO_MANY_EXPORTS (`ExportSlots`). A
streamed export gives its slot back however it ends: completed, the client gone, an
error. A refused filter (400), a 304 and a petitions HEAD (which reads no rows) take none;
the descriptor is no export.

A database out of reach before the first byte is sent: 503 DATABASE_UNAVAILABLE with
`Retry-After` (`app.web.unavailable`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from app.domain.stats import WindowError, local_window
from app.domain.timezone import now as current_time
from app.domain.timezone import to_local
from app.services.breakdowns import windowed
from app.services.datapackage import (
    CHECKPOINT_HEADER,
    checkpoint_text,
    descriptor_json,
    served_package,
    with_checkpoint,
)
from app.services.export import (
    LAYOUT_VERSION,
    MEDIA_TYPES,
    ExportFormat,
    canonical_params,
    code_lookup,
    filename,
    petition_export,
    query_string,
    stats_csv,
    stats_lines,
)
from app.services.filters import FilterError, args_from_params, criteria_from_args
from app.web.etag import IfNoneMatchError, if_none_match, weak_etag
from app.web.guard import error_body
from app.web.unavailable import answers_unavailable
from db.queries import export as queries

STATS_FILTERS = frozenset({"agencyCodes", "fieldCodes", "provinceCodes", "channel", "kind"})
"""The StatsFilter's fields other than its dates (`from`, `to`)."""

DESCRIPTOR_MEDIA_TYPE = "application/json"

RETRY_AFTER_SECONDS = 10
"""What a refused export's `Retry-After` says: a guess at when one of the client's own
exports will be done (a retry that comes too soon is refused again, before any work)."""
UNKNOWN_CLIENT = "-"
"""The address of a client the server does not know (a Unix socket): they share one."""


class ExportSlot:
    """One running export of one client: `release` gives it back (once; again does
    nothing). Also a context manager, released on leaving."""

    def __init__(self, slots: ExportSlots, client: str) -> None:
        self._slots = slots
        self.client = client
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.give_back(self.client)

    def __enter__(self) -> ExportSlot:
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.release()


@dataclass
class ExportSlots:
    """The exports each client address runs in this worker: at most `limit` at once
    (0: no limit). One event loop per worker, so counting needs no lock."""

    limit: int
    running: Counter[str] = field(default_factory=Counter)

    def take(self, client: str) -> ExportSlot | None:
        """A slot for one more export of `client`, or None when it runs `limit` already."""
        if self.limit > 0 and self.running[client] >= self.limit:
            return None
        self.running[client] += 1
        return ExportSlot(self, client)

    def give_back(self, client: str) -> None:
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]


def export_slots(request: Request) -> ExportSlots:
    """The application's export slots (`state.export_slots`), made on first use from
    `max_exports_per_client` when the composition root did not make them."""
    state = request.app.state
    slots: ExportSlots | None = getattr(state, "export_slots", None)
    if slots is None:
        slots = ExportSlots(max(0, int(state.settings.max_exports_per_client)))
        state.export_slots = slots
    return slots


def _client(request: Request) -> str:
    client = request.scope.get("client")
    return str(client[0]) if client else UNKNOWN_CLIENT


def _too_many(limit: int) -> Response:
    body = error_body(
        "TOO_MANY_EXPORTS",
        f"This address runs {limit} exports already, the most it may at once; retry when "
        "one of them is done.",
        limit=limit,
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return Response(body, 429, headers=headers, media_type="application/json")


class _SlotStream(StreamingResponse):
    """A streamed export that gives its client's slot back however the response ends:
    sent in full, the client gone (Starlette cancels the stream on `http.disconnect`), or
    an error."""

    def __init__(
        self,
        content: AsyncIterator[bytes],
        slot: ExportSlot,
        *,
        media_type: str,
        headers: dict[str, str],
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.slot = slot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.slot.release()


def _refusal(error: FilterError) -> Response:
    body = error_body(error.code, error.message, **error.details)
    return Response(body, 400, media_type="application/json")


def _bom(values: list[str]) -> bool:
    if not values:
        return True
    if len(values) > 1 or values[0].strip().lower() not in ("true", "false"):
        raise FilterError("BAD_REQUEST", "`bom` takes true or false, once.", parameter="bom")
    return values[0].strip().lower() == "true"


class _Cache:
    """The validator of one export response and the headers that carry it, with the
    transparency log's checkpoint current when it was made (`Pakn-Log-Checkpoint`)."""

    def __init__(self, request: Request, etag: str, checkpoint: tuple[int, bytes] | None) -> None:
        seconds = max(0, int(request.app.state.settings.cache_seconds))
        self.etag = etag
        self.checkpoint = checkpoint
        self.headers = {"ETag": etag, "Cache-Control": f"public, max-age={seconds}"}
        if checkpoint is not None:
            self.headers[CHECKPOINT_HEADER] = checkpoint_text(checkpoint)

    def not_modified(self) -> Response:
        return Response(None, 304, headers=self.headers)


def _if_none_match(request: Request) -> str | None:
    """The request's If-None-Match lines as one list (None when there is none)."""
    lines = request.headers.getlist("if-none-match")
    return ", ".join(lines) if lines else None


async def _cache(
    request: Request,
    engine: AsyncEngine,
    resource: str,
    params: list[tuple[str, str]],
    now: datetime,
) -> tuple[_Cache, bool]:
    """The response's validator and whether the request's If-None-Match names it.

    Raises FilterError (BAD_REQUEST) for an If-None-Match past its limits or malformed.
    """
    header = _if_none_match(request)
    newest, checkpoint = await queries.newest_state(engine)
    etag = weak_etag(
        (
            LAYOUT_VERSION,
            resource,
            query_string(params),
            str(newest),
            to_local(now).date().isoformat(),
            str(checkpoint[0] if checkpoint else 0),
        )
    )
    try:
        matches = if_none_match(header, etag)
    except IfNoneMatchError as error:
        raise FilterError("BAD_REQUEST", str(error), header="If-None-Match") from None
    return _Cache(request, etag, checkpoint), matches


def _download(name: str, cache: _Cache) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        **cache.headers,
    }


async def _nothing() -> AsyncIterator[bytes]:
    """An empty stream: a HEAD's body, so its headers are a streamed GET's."""
    yield b""


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
            flt = await criteria_from_args(args, code_lookup(engine), now)
            key = [*canonical_params(args), *([] if bom else [("bom", "false")])]
            cache, matches = await _cache(request, engine, f"petitions.{fmt.value}", key, now)
        except FilterError as error:
            return _refusal(error)
        if matches:
            return cache.not_modified()
        headers = _download(filename(fmt, now), cache)
        if request.method == "HEAD":  # GET's headers, streamed as GET is; no rows read
            return StreamingResponse(_nothing(), media_type=MEDIA_TYPES[fmt], headers=headers)
        slots = export_slots(request)
        slot = slots.take(_client(request))
        if slot is None:
            return _too_many(slots.limit)
        return _SlotStream(
            petition_export(engine, flt, fmt, now, bom=bom),
            slot,
            media_type=MEDIA_TYPES[fmt],
            headers=headers,
        )

    return answers_unavailable(endpoint)


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
            flt = await criteria_from_args(args, code_lookup(engine), now)
            key = [(name, day.isoformat()) for name, day in (("from", start), ("to", end)) if day]
            key += [*canonical_params(args), *([] if bom else [("bom", "false")])]
            cache, matches = await _cache(request, engine, "stats.csv", key, now)
        except FilterError as error:
            return _refusal(error)
        if matches:
            return cache.not_modified()
        name = f"pakn-stats-{filename(ExportFormat.CSV, now).removeprefix('pakn-petitions-')}"
        headers = _download(name, cache)
        media_type = MEDIA_TYPES[ExportFormat.CSV]
        flt = windowed(flt, low, high)
        slots = export_slots(request)
        slot = slots.take(_client(request))
        if slot is None:
            return _too_many(slots.limit)
        with slot:  # held while the figures are worked out (a HEAD's too); a few KB go out
            body = stats_csv(await stats_lines(engine, flt, now), bom)
        return Response(body, media_type=media_type, headers=headers)

    return answers_unavailable(endpoint)


def datapackage_endpoint(engine: AsyncEngine) -> Callable[[Request], Awaitable[Response]]:
    """GET /export/datapackage.json[?filter]: the Frictionless Data Package descriptor of
    the petition exports (CSV and NDJSON) and the statistics CSV with that filter.

    Takes the petition exports' filter parameters, checked as they check them (so a path
    in the descriptor never names a refused export); the statistics take its agencies,
    fields, provinces, channel and kind.
    """

    async def endpoint(request: Request) -> Response:
        params = request.query_params.multi_items()
        now = current_time()
        try:
            args = args_from_params(params)
            await criteria_from_args(args, code_lookup(engine), now)
            canonical = canonical_params(args)
            cache, matches = await _cache(request, engine, "datapackage.json", canonical, now)
        except FilterError as error:
            return _refusal(error)
        if matches:
            return cache.not_modified()
        headers = {"X-Content-Type-Options": "nosniff", **cache.headers}
        stats = [(name, value) for name, value in canonical if name in STATS_FILTERS]
        package = served_package(query_string(canonical), query_string(stats))
        with_checkpoint(package, cache.checkpoint)
        return Response(descriptor_json(package), media_type=DESCRIPTOR_MEDIA_TYPE, headers=headers)

    return answers_unavailable(endpoint)
