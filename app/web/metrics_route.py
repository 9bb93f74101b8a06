"""`GET /metrics`: the Prometheus text format, for the operator's scraper only.

Who is answered: a request with `Authorization: Bearer <PAKN_METRICS_TOKEN>` when that is
set (compared in constant time); when it is not, a client on loopback that came without
`X-Forwarded-For`. Under a broad proxy trust (`PAKN_TRUSTED_PROXIES=0.0.0.0/0`) the
trusted-proxy rule (`app.web.proxies`) takes an entry the client wrote itself as the
client, so the address alone could be faked; nginx always writes the header, so a request
through it never passes without the token. Everyone else, any method but GET and HEAD, and
any path under `/metrics/` get the 404 of any unknown path (no 405 and its `Allow`, no
redirect): the endpoint does not say that it exists.

The outbox's backlog, the transparency log's unsigned leaves and its newest checkpoint's
age, and the background jobs' heartbeats are the database's, not a worker's: the worker
answering the scrape reads them then (`FIGURES_TIMEOUT_SECONDS`), each through a primary
key or the outbox's pending index, and leaves them out of that scrape if the database does
not answer in time, rather than fail it.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from app.web.deadline import within
from app.web.metrics import Metrics
from db.models import JobHeartbeat, LogCheckpoint, OutboxMessage
from db.queries import log as log_queries

FIGURES_TIMEOUT_SECONDS = 2.0
PATH = "/metrics"
SCRAPE_METHODS = frozenset({"GET", "HEAD"})
FORWARDED_HEADER = b"x-forwarded-for"
logger = logging.getLogger("pakn.metrics")


def _loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            return token.strip() if scheme.lower() == b"bearer" else None
    return None


def _forwarded(scope: Scope) -> bool:
    return any(name == FORWARDED_HEADER for name, _ in scope.get("headers", ()))


def allowed(scope: Scope, token: str) -> bool:
    """Whether `/metrics` answers this request (see the module)."""
    if token:
        given = _bearer(scope)
        return given is not None and hmac.compare_digest(given, token.encode())
    client = scope.get("client")
    return client is not None and not _forwarded(scope) and _loopback(str(client[0]))


def _seconds_since(now: datetime, moment: datetime) -> float:
    return max(0.0, (now - moment).total_seconds())


async def _read_figures(engine: AsyncEngine, now: datetime) -> list[Metric]:
    pending = OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)
    async with engine.connect() as connection:
        backlog, first_due = (
            await connection.execute(
                select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(pending)
            )
        ).one()
        newest = await log_queries.newest_checkpoint(
            connection, LogCheckpoint.tree_size, LogCheckpoint.issued_at
        )
        leaves = await log_queries.tree_size(connection)
        beats = (
            await connection.execute(
                select(JobHeartbeat.job, JobHeartbeat.beat_at, JobHeartbeat.interval_seconds)
            )
        ).all()
    signed = int(newest.tree_size) if newest is not None else 0
    figures: list[Metric] = [
        GaugeMetricFamily(
            "pakn_outbox_backlog",
            "Outbox messages neither sent nor given up: due now or waiting for a retry.",
            int(backlog or 0),
        ),
        GaugeMetricFamily(
            "pakn_outbox_oldest_age_seconds",
            "How long the longest-due outbox message has been due (its next attempt time "
            "passed); messages backing off until a later attempt do not count (0: none due).",
            _seconds_since(now, first_due) if first_due is not None else 0.0,
        ),
        GaugeMetricFamily(
            "pakn_log_unsigned_entries",
            "Transparency-log leaves beyond the newest signed checkpoint's tree size.",
            max(0, int(leaves or 0) - signed),
        ),
    ]
    if newest is not None:
        figures.append(
            GaugeMetricFamily(
                "pakn_checkpoint_age_seconds",
                "Age of the newest signed checkpoint of the transparency log (one is signed "
                "only when the log has grown: see pakn_log_unsigned_entries).",
                _seconds_since(now, newest.issued_at),
            )
        )
    ages = GaugeMetricFamily(
        "pakn_job_heartbeat_age_seconds",
        "Seconds since each background job's leader, on any host, last recorded a run "
        "(job_heartbeats), by job_name.",
        labels=["job_name"],
    )
    intervals = GaugeMetricFamily(
        "pakn_job_interval_seconds",
        "Each background job's interval as its last leader recorded it, by job_name.",
        labels=["job_name"],
    )
    for job, beat_at, interval_seconds in beats:
        ages.add_metric([job], _seconds_since(now, beat_at))
        intervals.add_metric([job], float(interval_seconds))
    return [*figures, ages, intervals]


async def database_figures(engine: AsyncEngine, database_url: str) -> list[Metric]:
    """The database's figures (see the module), or none if the database does not answer."""
    try:
        return await within(
            FIGURES_TIMEOUT_SECONDS, _read_figures(engine, datetime.now(UTC)), database_url
        )
    except Exception as error:  # OperationTimedOut, or any error of the database's
        logger.warning("metrics: the database figures are left out: %r", error)
        return []


class MetricsEndpoint:
    """The ASGI endpoint of `/metrics` and of every path under `/metrics/`, for every
    method, so that Starlette answers none of them with its 405 or its redirect."""

    def __init__(
        self, metrics: Metrics, engine: AsyncEngine, token: str, database_url: str
    ) -> None:
        self.metrics = metrics
        self.engine = engine
        self.token = token
        self.database_url = database_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        under = "rest" in scope.get("path_params", {})
        answered = not under and scope.get("method") in SCRAPE_METHODS
        if not answered or not allowed(scope, self.token):
            raise HTTPException(404)
        figures = await database_figures(self.engine, self.database_url)
        if self.metrics.multiprocess:  # reads every worker's files
            body = await asyncio.to_thread(self.metrics.exposition, figures)
        else:
            body = self.metrics.exposition(figures)
        response = Response(
            body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "private, no-store"}
        )
        await response(scope, receive, send)


def metrics_routes(
    metrics: Metrics, engine: AsyncEngine, token: str, database_url: str
) -> Sequence[BaseRoute]:
    """`/metrics` and `/metrics/{rest}` (see the module), for the application's routes."""
    endpoint = MetricsEndpoint(metrics, engine, token, database_url)
    return [Route(PATH, endpoint), Route(PATH + "/{rest:path}", endpoint)]
