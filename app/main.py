"""The ASGI application factory: the composition root of the HTTP service."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp

from app.services import notifications, transitions, witness_push
from app.services.email_outbox import EmailChannel
from app.services.export import ExportFormat
from app.services.feed import EventFeed
from app.services.jobs import Background
from app.services.outbox import OutboxChannel
from app.services.persisted_queries import PersistedQueries
from app.settings import Settings
from app.web.compression import Compression
from app.web.cors import ApiCORS
from app.web.export_routes import datapackage_endpoint, petitions_endpoint, stats_endpoint
from app.web.file_routes import file_endpoint
from app.web.graphiql_assets import graphiql_assets
from app.web.graphql_view import PaknGraphQL
from app.web.guard import HTTP_ERROR_CODES, RequestGuard, error_body
from app.web.log_routes import checkpoint_endpoint, tile_endpoint
from app.web.metrics import Metrics
from app.web.metrics_route import metrics_routes
from app.web.observation import Observe
from app.web.proxies import trusting_proxies
from app.web.read_limits import read_limits
from app.web.readiness import Readiness
from app.web.report_page import report_page
from app.web.site import site_routes
from app.web.unavailable import unavailable_response
from app.web.unsubscribe import unsubscribe_endpoint
from db.availability import database_unavailable
from db.engine import create_engine, is_sqlite, session_factory
from db.listener import PgListener
from db.migrate import known_revisions
from db.transactions import WriteGate
from schema.build import build_schema
from schema.fastpath import CompiledQueries

logger = logging.getLogger("pakn")


def _freeze_startup_objects() -> None:
    """Leave what startup built (the schema, the ORM's mappers: 120,000 objects) out of the
    garbage collector's full passes. Each pass walked them all, an 80 ms pause every few
    thousand requests, and so in the 99th percentile; they live as long as the worker."""
    gc.collect()
    gc.freeze()


def starlette_app(asgi: object) -> Starlette:
    """The Starlette application inside `create_app`'s middleware (its `state` holds the
    engine, the feed and the settings)."""
    while not isinstance(asgi, Starlette):
        asgi = getattr(asgi, "app")  # noqa: B009
    return asgi


def create_app(settings: Settings | None = None) -> ASGIApp:
    settings = settings or Settings.from_env()
    engine = create_engine(
        settings.database_url, statement_timeout=settings.statement_timeout_seconds
    )
    sessions = session_factory(engine)
    feed = EventFeed(
        sessions, poll_interval=settings.feed_poll_seconds, queue_size=settings.subscriber_queue
    )
    metrics = Metrics()
    metrics.watch_engine(engine)
    feed.delivered, feed.subscribed = metrics.event_delivered, metrics.subscriptions
    writes = WriteGate(serialise=is_sqlite(settings.database_url), after_commit=feed.wake)
    schema = build_schema(settings)
    compiled = CompiledQueries(schema) if settings.compiled_queries else None
    persisted = PersistedQueries(
        sessions,
        writes,
        max_documents=settings.persisted_queries_max,
        max_bytes=settings.persisted_queries_max_bytes,
    )
    graphql = PaknGraphQL(schema, sessions, settings, writes, feed, persisted, compiled)
    outbox_channels: list[OutboxChannel] = []
    if settings.smtp_url and settings.email_delivery:
        outbox_channels.append(
            EmailChannel(
                settings.smtp_url,
                mail_from=settings.mail_from,
                public_url=settings.public_url,
                secret_key=settings.secret_key,
            )
        )
    background = Background(
        settings.database_url,
        writes,
        retention_days=settings.contact_retention_days,
        purge_interval_seconds=settings.purge_interval_seconds,
        statement_timeout=settings.statement_timeout_seconds,
        outbox_channels=outbox_channels,
        outbox_interval_seconds=settings.outbox_interval_seconds,
        webhook_key=settings.key_encryption_key if settings.webhook_delivery else None,
        webhook_allow_private=settings.webhook_allow_private,
        overdue_notify=notifications.for_settings(settings) if settings.overdue_clock else None,
        overdue_interval_seconds=settings.overdue_interval_seconds,
        auto_urge=transitions.system_urge(settings, settings.auto_urge_days),
        auto_urge_days=settings.auto_urge_days,
        purge_notify=notifications.for_settings(settings),
        log_key=settings.key_encryption_key if settings.log_checkpoints else None,
        public_url=settings.public_url,
        checkpoint_seconds=settings.checkpoint_seconds,
        witnesses=[witness_push.Witness.from_setting(pair) for pair in settings.witnesses],
    )
    background.runner.observers.append(metrics.job_ran)

    readiness = Readiness(engine, background.runner, known_revisions(), lambda: app.state.listener)

    async def health(_request: Request) -> Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            logger.warning("health check: database unreachable: %r", error)
            return unavailable_response(message="The database does not answer.")
        return JSONResponse({"status": "ok"})

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = HTTP_ERROR_CODES.get(exc.status_code, "BAD_REQUEST")
        message = "No such resource." if exc.status_code == 404 else exc.detail
        body = error_body(code, message)
        return Response(body, exc.status_code, exc.headers, media_type="application/json")

    async def server_error(request: Request, exc: Exception) -> Response:
        request_id = request.scope.get("state", {}).get("request_id", "-")
        if database_unavailable(exc):
            return unavailable_response(request_id)
        logger.error("unhandled error [request %s]", request_id, exc_info=exc)
        body = error_body("INTERNAL_SERVER_ERROR", "Internal server error.", requestId=request_id)
        return Response(body, 500, media_type="application/json")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await feed.start()
        listener = None
        if not is_sqlite(settings.database_url):
            listener = PgListener(settings.database_url, feed.wake)
            listener.start()
        app.state.listener = listener
        background.start()
        _freeze_startup_objects()
        yield
        await background.stop()
        await feed.stop()
        if listener is not None:
            await listener.stop()
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            *metrics_routes(metrics, engine, settings.metrics_token, settings.database_url),
            Route("/ready", readiness.respond, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/reports/{period}", report_page(sessions, settings), methods=["GET"]),
            Route("/export/petitions.csv", petitions_endpoint(engine, ExportFormat.CSV)),
            Route("/export/petitions.ndjson", petitions_endpoint(engine, ExportFormat.NDJSON)),
            Route("/export/stats.csv", stats_endpoint(engine)),
            Route("/export/datapackage.json", datapackage_endpoint(engine)),
            Route(
                "/unsubscribe/{token}",
                unsubscribe_endpoint(sessions, writes, settings),
                methods=["GET", "POST"],
            ),
            Route("/log/checkpoint", checkpoint_endpoint(sessions), methods=["GET"]),
            Route("/files/{sha256}", file_endpoint(sessions, settings), methods=["GET"]),
            Route("/log/tile/{path:path}", tile_endpoint(sessions), methods=["GET"]),
            Mount("/static/graphiql", graphiql_assets()),
            WebSocketRoute("/graphql", graphql),
            *site_routes(graphql),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.feed = feed
    app.state.background = background
    app.state.graphql = graphql
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.readiness = readiness
    app.state.listener = None
    # Outside in: the client's address (a trusted proxy's X-Forwarded-For, else the peer's);
    # the metrics and the access log, so that every refusal is counted; CORS, so a refusal
    # too is readable cross-origin; the read limit, before a body is read.
    guarded = Compression(RequestGuard(app, settings.max_body_bytes, settings.max_upload_total))
    limited = read_limits(guarded, settings, sessions)
    observed = Observe(ApiCORS(limited, settings.cors_origins), metrics, settings.secret_key)
    return trusting_proxies(observed, settings.trusted_proxies)
