"""`GET /metrics`: the Prometheus text format, for the operator's scraper only.

Who is answered: a request with `Authorization: Bearer <PAKN_METRICS_TOKEN>` when that is
set (compared in constant time); when it is not, a client on loopback, by the address the
trusted-proxy rule gives (`app.web.proxies`), so a remote client through a trusted proxy
on this host is not mistaken for a local one. Everyone else gets the 404 of any unknown
path: the endpoint does not say that it exists.

The outbox's backlog and the newest checkpoint's age are the database's, not a worker's:
the worker answering the scrape reads them then (`FIGURES_TIMEOUT_SECONDS`), and leaves
them out of that scrape if the database does not answer in time, rather than fail it.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from app.web.deadline import within
from app.web.metrics import Metrics
from db.models import LogCheckpoint, OutboxMessage

FIGURES_TIMEOUT_SECONDS = 2.0
logger = logging.getLogger("pakn.metrics")

Endpoint = Callable[[Request], Awaitable[Response]]


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


def allowed(scope: Scope, token: str) -> bool:
    """Whether `/metrics` answers this request (see the module)."""
    if token:
        given = _bearer(scope)
        return given is not None and hmac.compare_digest(given, token.encode())
    client = scope.get("client")
    return client is not None and _loopback(str(client[0]))


async def _read_figures(engine: AsyncEngine, now: datetime) -> list[Metric]:
    pending = OutboxMessage.sent_at.is_(None) & OutboxMessage.failed_at.is_(None)
    async with engine.connect() as connection:
        backlog, oldest = (
            await connection.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(pending)
            )
        ).one()
        issued = await connection.scalar(
            select(LogCheckpoint.issued_at).order_by(LogCheckpoint.tree_size.desc()).limit(1)
        )
    figures: list[Metric] = [
        GaugeMetricFamily(
            "pakn_outbox_backlog", "Outbox messages neither sent nor given up.", int(backlog or 0)
        ),
        GaugeMetricFamily(
            "pakn_outbox_oldest_age_seconds",
            "Age of the oldest outbox message neither sent nor given up (0: none).",
            max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
        ),
    ]
    if issued is not None:
        figures.append(
            GaugeMetricFamily(
                "pakn_checkpoint_age_seconds",
                "Age of the newest signed checkpoint of the transparency log.",
                max(0.0, (now - issued).total_seconds()),
            )
        )
    return figures


async def database_figures(engine: AsyncEngine, database_url: str) -> list[Metric]:
    """The outbox and checkpoint figures, or none if the database does not answer."""
    try:
        return await within(
            FIGURES_TIMEOUT_SECONDS, _read_figures(engine, datetime.now(UTC)), database_url
        )
    except Exception as error:  # OperationTimedOut, or any error of the database's
        logger.warning("metrics: the database figures are left out: %r", error)
        return []


def metrics_endpoint(
    metrics: Metrics, engine: AsyncEngine, token: str, database_url: str
) -> Endpoint:
    async def scrape(request: Request) -> Response:
        if not allowed(request.scope, token):
            raise HTTPException(404)
        figures = await database_figures(engine, database_url)
        if metrics.multiprocess:  # reads every worker's files
            body = await asyncio.to_thread(metrics.exposition, figures)
        else:
            body = metrics.exposition(figures)
        return Response(
            body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "private, no-store"}
        )

    return scrape
