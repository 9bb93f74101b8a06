"""Configuration read once from the environment."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.workflow import DEFAULT_FOLLOW_UP_THRESHOLD
from app.domain.working_days import RESPONSE_WORKING_DAYS

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./pakn.db"
SECRET_KEY_FILE = Path(".pakn-secret-key")
STATEMENT_GRACE_SECONDS = 0.5


def _integer(raw: str) -> int:
    return int(raw)


def _number(raw: str) -> float:
    return float(raw)


def _flag(raw: str) -> bool:
    """On unless set to 0."""
    return raw != "0"


def _items(raw: str) -> tuple[str, ...]:
    """A comma-separated setting; blanks dropped."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


MIN_SECRET_KEY_BYTES = 32


class SettingsError(ValueError):
    """A setting the service cannot start with; `pakn` says which, and exits with 2."""


def _checked_key(key: str, source: str) -> str:
    size = len(key.encode())
    if size < MIN_SECRET_KEY_BYTES:
        raise SettingsError(
            f"{source} holds a secret key of {size} bytes; it must have at least "
            f"{MIN_SECRET_KEY_BYTES}. Make one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return key


def _create_key_file(path: Path) -> None:
    """A new random key at `path`, 0600, whole or not at all: written to a file of its own
    and linked into place, so a second process starting at once finds either no file or
    the complete key, never an empty one."""
    draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(MIN_SECRET_KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)


def server_secret_key() -> str:
    """PAKN_SECRET_KEY, or a random key kept in ./.pakn-secret-key (made on first use);
    either must hold at least 32 bytes, or the service does not start.

    The key derives petitioners' secrets for idempotent retries and fingerprints client
    addresses for rate limiting. Every worker of one deployment must share it: set
    PAKN_SECRET_KEY when workers run on more than one host.
    """
    configured = os.environ.get("PAKN_SECRET_KEY")
    if configured:
        return _checked_key(configured, "PAKN_SECRET_KEY")
    if not SECRET_KEY_FILE.exists():
        _create_key_file(SECRET_KEY_FILE)
    return _checked_key(SECRET_KEY_FILE.read_text().strip(), str(SECRET_KEY_FILE.resolve()))


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    response_working_days: int = RESPONSE_WORKING_DAYS
    follow_up_escalation_threshold: int = DEFAULT_FOLLOW_UP_THRESHOLD
    submissions_per_hour: int = 20
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_query_cost: int = 20_000
    """The rows a document may be estimated to return (`schema.cost`; 0: no limit)."""
    max_body_bytes: int = 256 * 1024
    graphiql: bool = True
    introspection: bool = True
    """Introspection and "Did you mean" suggestions, on for a public API (0 turns both off)."""
    compiled_queries: bool = True
    """Answer repeated documents by the compiled path (`schema.fastpath`)."""
    statement_timeout_seconds: float = 30.0
    """PostgreSQL cancels an API statement that runs longer (0: never); see QUERY_TIMEOUT."""
    keep_alive_seconds: float = 15.0
    feed_poll_seconds: float = 2.0
    subscriber_queue: int = 1000
    secret_key: str = "insecure-development-key"
    ranking_minimum: int = 10
    """Agencies with fewer petitions received in a window are ranked apart."""
    cors_origins: tuple[str, ...] = ()
    """Origins whose pages may call the API and open its WebSocket; empty: any origin."""
    persisted_queries_max: int = 10_000
    """Documents the persisted-query store keeps (all workers together)..."""
    persisted_queries_max_bytes: int = 32 * 1024 * 1024
    """... and their bytes: registering beyond either forgets the oldest."""
    cache_seconds: int = 10
    """`Cache-Control: public, max-age=` of public cacheable responses (anonymous GraphQL
    GETs and the exports); 0: caches revalidate every time."""
    request_timeout_seconds: float = 30.0
    """One GraphQL operation (HTTP, or a socket's query or mutation) is cancelled after
    this long with REQUEST_TIMEOUT (0: never); never above the statement timeout."""
    read_rate: int = 600
    """Requests a minute per client address (officers ten times as many); 0: no limit.
    Each worker enforces its share, `read_rate / workers`."""
    workers: int = 1
    """Worker processes serving this deployment on this host (`pakn serve --workers`)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses whose `X-Forwarded-For` is believed; empty: nobody's."""
    max_sockets_per_client: int = 20
    """Open WebSockets per client address, per worker (0: no limit)."""
    max_sockets: int = 10_000
    """Open WebSockets in all, per worker (0: no limit)."""
    max_subscriptions_per_socket: int = 100
    """Operations running at once on one WebSocket (0: no limit)."""
    max_replay: int = 10_000
    """Events a subscription's `after` may lie behind the newest (0: no limit)."""
    socket_init_timeout_seconds: float = 10.0
    """A WebSocket that sends no `connection_init` this long is closed."""
    socket_recheck_seconds: float = 5.0
    """How often an open socket's officer token is checked again (revoked since)."""
    max_exports_per_client: int = 2
    """Exports one client address may stream at once, per worker (0: no limit)."""

    @property
    def effective_request_timeout(self) -> float:
        """The request timeout, at most the statement timeout (0: off). Where it reaches
        the statement timeout, PostgreSQL's own cancellation of a long statement is given
        `STATEMENT_GRACE_SECONDS` to answer QUERY_TIMEOUT, which names the cause, first."""
        request, statement = self.request_timeout_seconds, self.statement_timeout_seconds
        if not request:
            return 0.0
        if statement and request >= statement:
            return statement + STATEMENT_GRACE_SECONDS
        return request

    @classmethod
    def from_env(cls) -> Settings:
        """The defaults above, overridden by the environment variables of `ENVIRONMENT`
        that are set and not empty."""
        values: dict[str, Any] = {}
        for name, (variable, parse) in ENVIRONMENT.items():
            raw = os.environ.get(variable)
            if raw:
                values[name] = parse(raw)
        if os.environ.get("PAKN_DATABASE_URL") == "":
            raise SettingsError("PAKN_DATABASE_URL is set but empty: name a database or unset it.")
        if "cache_seconds" in values:
            values["cache_seconds"] = max(0, values["cache_seconds"])
        return cls(secret_key=server_secret_key(), **values)


ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "database_url": ("PAKN_DATABASE_URL", str),
    "response_working_days": ("PAKN_RESPONSE_WORKING_DAYS", _integer),
    "follow_up_escalation_threshold": ("PAKN_FOLLOW_UP_ESCALATION", _integer),
    "submissions_per_hour": ("PAKN_SUBMISSIONS_PER_HOUR", _integer),
    "max_query_depth": ("PAKN_MAX_QUERY_DEPTH", _integer),
    "max_aliases": ("PAKN_MAX_ALIASES", _integer),
    "max_tokens": ("PAKN_MAX_TOKENS", _integer),
    "max_query_cost": ("PAKN_MAX_QUERY_COST", _integer),
    "max_body_bytes": ("PAKN_MAX_BODY_BYTES", _integer),
    "graphiql": ("PAKN_GRAPHIQL", _flag),
    "introspection": ("PAKN_INTROSPECTION", _flag),
    "compiled_queries": ("PAKN_COMPILED_QUERIES", _flag),
    "statement_timeout_seconds": ("PAKN_STATEMENT_TIMEOUT", _integer),
    "ranking_minimum": ("PAKN_RANKING_MINIMUM", _integer),
    "cors_origins": ("PAKN_CORS_ORIGINS", _items),
    "persisted_queries_max": ("PAKN_PERSISTED_QUERIES", _integer),
    "persisted_queries_max_bytes": ("PAKN_PERSISTED_QUERIES_BYTES", _integer),
    "cache_seconds": ("PAKN_CACHE_SECONDS", _integer),
    "request_timeout_seconds": ("PAKN_REQUEST_TIMEOUT", _number),
    "read_rate": ("PAKN_READ_RATE", _integer),
    "workers": ("PAKN_WORKERS", _integer),
    "trusted_proxies": ("PAKN_TRUSTED_PROXIES", _items),
    "max_sockets_per_client": ("PAKN_MAX_SOCKETS_PER_CLIENT", _integer),
    "max_sockets": ("PAKN_MAX_SOCKETS", _integer),
    "max_subscriptions_per_socket": ("PAKN_MAX_SUBSCRIPTIONS_PER_SOCKET", _integer),
    "max_replay": ("PAKN_MAX_REPLAY", _integer),
    "socket_init_timeout_seconds": ("PAKN_SOCKET_INIT_TIMEOUT", _number),
    "socket_recheck_seconds": ("PAKN_SOCKET_RECHECK", _number),
    "max_exports_per_client": ("PAKN_MAX_EXPORTS_PER_CLIENT", _integer),
}
"""Which environment variable sets which setting, and how its text is read; the secret key
is `server_secret_key`'s."""
