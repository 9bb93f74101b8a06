"""A worker's Prometheus metrics: counted where things happen, scraped at `/metrics`.

Under `pakn serve` each worker is a process of its own, yet a scrape reaches one of them
and must count them all: prometheus-client's multiprocess mode. `serve` gives the workers a
fresh directory (PROMETHEUS_MULTIPROC_DIR, `multiprocess_metrics`) before it spawns them;
each worker writes its figures to files of its own there, the one answering a scrape adds
them up (`MultiProcessCollector`), and the supervisor forgets a dead worker's live gauges
(`worker_exited`). Its counters stay: a total never goes down because a worker was
replaced.

Without that directory (the tests' in-process server) each application counts into a
`CollectorRegistry` of its own: two applications in one process never see each other's
counts, as they would in prometheus-client's global registry.

Labels a client chooses are bounded, so that no client can grow the label set: an
operation name counts as itself only if it is an identifier (`NAME`) and one of the first
`MAX_LABEL_VALUES` this process has seen in a document that passed validation
(`app.web.observation`: a junk name in a document that does not parse, does not validate or
holds no such operation takes no place), and so does an error code (`CODE`); anything
else is `OTHER`. Every other label comes from a fixed set (transports, route templates,
refusal reasons, job names).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from glob import glob
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
MAX_LABEL_VALUES = 200
OTHER = "other"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
REFUSAL_REASONS = (
    "rate_limited",
    "read_rate",
    "cost",
    "depth",
    "tokens",
    "aliases",
    "socket_limit",
    "body_too_large",
)
WATCHED_CODES = (
    "INTERNAL_SERVER_ERROR",
    "DATABASE_UNAVAILABLE",
    "REQUEST_TIMEOUT",
    "QUERY_TIMEOUT",
    "RATE_LIMITED",
    "QUERY_TOO_COSTLY",
    "QUERY_TOO_DEEP",
    "TOO_MANY_TOKENS",
    "TOO_MANY_ALIASES",
    "TOO_MANY_SOCKETS",
    "REQUEST_TOO_LARGE",
)
"""Error codes counted from 0 at start, so that a rate over them has a series before the
first one (a scrape shows a labelled family only once it has a value)."""
SQL_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
_STARTED = "pakn_statement_started"

disable_created_metrics()  # multiprocess mode has no `_created` series: nor has one process


def multiprocess() -> bool:
    """Whether this process counts into the shared directory (a worker of `pakn serve`)."""
    return bool(os.environ.get(MULTIPROCESS_DIR))


TEMPORARY_PREFIX = "pakn-metrics-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_orphans() -> None:
    """The temporary directories of supervisors that were killed before they could
    remove theirs (named after their pid)."""
    for folder in glob(os.path.join(tempfile.gettempdir(), f"{TEMPORARY_PREFIX}*-*")):
        pid = os.path.basename(folder)[len(TEMPORARY_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def multiprocess_metrics() -> Iterator[str]:
    """PROMETHEUS_MULTIPROC_DIR for the workers spawned inside the block: the operator's,
    emptied of an earlier run's files, or else a new temporary one, removed afterwards."""
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        os.makedirs(given, exist_ok=True)
        for stale in glob(os.path.join(given, "*.db")):
            os.remove(stale)
        yield given
        return
    _remove_orphans()
    made = tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-")
    os.environ[MULTIPROCESS_DIR] = made
    try:
        yield made
    finally:
        os.environ.pop(MULTIPROCESS_DIR, None)
        shutil.rmtree(made, ignore_errors=True)


def worker_exited(pid: int) -> None:
    """Forget the live gauges (sockets, subscriptions, pool) of worker `pid`, which exited."""
    if multiprocess():
        mark_process_dead(pid)


class BoundedLabel:
    """The first `most` distinct values that match `pattern`, each itself; others `OTHER`."""

    def __init__(self, pattern: re.Pattern[str], most: int = MAX_LABEL_VALUES) -> None:
        self.pattern = pattern
        self.most = most
        self._seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        if not self.admits(value):
            return OTHER
        self._seen.add(value)
        return value

    def holds(self, value: str) -> bool:
        """Whether `value` counts as itself already."""
        return value in self._seen

    def admits(self, value: str) -> bool:
        """Whether `value`, new, would count as itself (room left and the pattern met)."""
        return len(self._seen) < self.most and bool(self.pattern.fullmatch(value))


class Metrics:
    """The families of one application (see the module), and what feeds them."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess()
        self.registry = None if self.multiprocess else CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "pakn_requests",
            "Requests answered (HTTP) and operations started on WebSockets (ws).",
            ["transport", "operation"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "pakn_request_duration_seconds",
            "How long HTTP requests took to answer, by operation or route (transport http "
            "only: a socket's operations are counted, not timed).",
            ["transport", "operation"],
            registry=registry,
        )
        self.errors = Counter(
            "pakn_errors", "Coded errors answered, by code.", ["code"], registry=registry
        )
        self.statements = Counter(
            "pakn_sql_statements", "SQL statements the request engine ran.", registry=registry
        )
        self.statement_seconds = Histogram(
            "pakn_sql_duration_seconds",
            "How long the request engine's SQL statements took.",
            buckets=SQL_BUCKETS,
            registry=registry,
        )
        self.pool_in_use = Gauge(
            "pakn_db_pool_in_use",
            "Connections of the request engine's pool checked out now.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.open_sockets = Gauge(
            "pakn_open_sockets",
            "WebSockets open now.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.active_subscriptions = Gauge(
            "pakn_active_subscriptions",
            "Subscriptions the event feed serves now.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.event_lag = Histogram(
            "pakn_event_delivery_lag_seconds",
            "From an event's stored time to the moment a worker's feed hands it to its "
            "subscribers (once per event and worker).",
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.job_runs = Counter(
            "pakn_job_runs",
            "Background job runs, by job_name and outcome (ok, failed).",
            ["job_name", "outcome"],
            registry=registry,
        )
        self.job_last_run = Gauge(
            "pakn_job_last_run_timestamp_seconds",
            "When each background job last ran (Unix time) in a worker that led it, by "
            "job_name (not `job`: Prometheus gives each scrape target that label); "
            "pakn_job_heartbeat_age_seconds is every host's.",
            ["job_name"],
            multiprocess_mode="mostrecent",
            registry=registry,
        )
        self.refusals = Counter(
            "pakn_refusals",
            "Requests refused by a limit, by reason.",
            ["reason"],
            registry=registry,
        )
        self.operation_label = BoundedLabel(NAME)
        self.code_label = BoundedLabel(CODE)
        for reason in REFUSAL_REASONS:
            self.refusals.labels(reason)
        for code in WATCHED_CODES:
            self.errors.labels(self.code_label(code))
        self._counted: dict[tuple[str, str], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}

    def answered(self, transport: str, operation: str, seconds: float | None = None) -> None:
        """One request (or socket operation, without `seconds`: it makes no histogram
        series) of `operation`, an already bounded label."""
        key = (transport, operation)
        counted = self._counted.get(key)
        if counted is None:
            counted = self._counted[key] = self.requests.labels(transport, operation)
        counted.inc()
        if seconds is not None:
            timed = self._timed.get(key)
            if timed is None:
                timed = self._timed[key] = self.request_seconds.labels(transport, operation)
            timed.observe(seconds)

    def error(self, code: str) -> None:
        self.errors.labels(self.code_label(code)).inc()

    def refused(self, reason: str) -> None:
        self.refusals.labels(reason).inc()

    def watch_engine(self, engine: AsyncEngine) -> None:
        """Count `engine`'s statements, their time and its checked-out connections."""
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement_started)
        event.listen(sync, "after_cursor_execute", self._statement_ended)
        event.listen(sync, "checkout", self._checked_out)
        event.listen(sync, "checkin", self._checked_in)

    def _statement_started(self, connection: Any, *_args: Any) -> None:
        self.statements.inc()
        connection.info[_STARTED] = time.perf_counter()

    def _statement_ended(self, connection: Any, *_args: Any) -> None:
        started = connection.info.pop(_STARTED, None)
        if started is not None:
            self.statement_seconds.observe(time.perf_counter() - started)

    def _checked_out(self, *_args: Any) -> None:
        self.pool_in_use.inc()

    def _checked_in(self, *_args: Any) -> None:
        self.pool_in_use.dec()

    def socket_opened(self) -> None:
        self.open_sockets.inc()

    def socket_closed(self) -> None:
        self.open_sockets.dec()

    def subscriptions(self, count: int) -> None:
        """The feed's subscriptions in this worker now (`EventFeed.subscribed`)."""
        self.active_subscriptions.set(count)

    def event_delivered(self, at: datetime) -> None:
        """An event stored at `at` handed to this worker's subscribers (`EventFeed.delivered`).
        An event whose time is not its commit's (OVERDUE, at its deadline; a petition
        recorded with an earlier `receivedAt`) lands in the top buckets."""
        self.event_lag.observe(max(0.0, time.time() - at.timestamp()))

    def job_ran(self, job: str, ok: bool) -> None:
        """A run of background job `job` ended (`BackgroundRunner.observers`)."""
        self.job_runs.labels(job, "ok" if ok else "failed").inc()
        self.job_last_run.labels(job).set(time.time())

    def exposition(self, extra: Iterable[Metric] = ()) -> bytes:
        """The text format of every worker's figures (this application's, without the
        shared directory), and `extra`'s."""
        sources: list[Any] = [_Fixed(list(extra))]
        if self.registry is not None:
            sources.insert(0, self.registry)
        else:
            sources.insert(0, MultiProcessCollector(None))
        return generate_latest(_Together(sources))


class _Fixed:
    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        return self.metrics


class _Together:
    def __init__(self, sources: list[Any]) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()
