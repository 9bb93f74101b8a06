"""Configuration read once from the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./pakn.db"
SECRET_KEY_FILE = Path(".pakn-secret-key")


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _list_env(name: str) -> tuple[str, ...]:
    """A comma-separated setting; blanks dropped."""
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


def server_secret_key() -> str:
    """PAKN_SECRET_KEY, or a random key kept in ./.pakn-secret-key (made on first use).

    The key derives petitioners' secrets for idempotent retries and fingerprints client
    addresses for rate limiting. Every worker of one deployment must share it: set
    PAKN_SECRET_KEY when workers run on more than one host.
    """
    configured = os.environ.get("PAKN_SECRET_KEY")
    if configured:
        return configured
    if not SECRET_KEY_FILE.exists():
        SECRET_KEY_FILE.touch(mode=0o600)
        SECRET_KEY_FILE.write_text(secrets.token_urlsafe(32))
    return SECRET_KEY_FILE.read_text().strip()


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    response_working_days: int = 20
    follow_up_escalation_threshold: int = 2
    submissions_per_hour: int = 20
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_body_bytes: int = 256 * 1024
    graphiql: bool = True
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

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("PAKN_DATABASE_URL", DEFAULT_DATABASE_URL),
            response_working_days=_int_env("PAKN_RESPONSE_WORKING_DAYS", 20),
            follow_up_escalation_threshold=_int_env("PAKN_FOLLOW_UP_ESCALATION", 2),
            submissions_per_hour=_int_env("PAKN_SUBMISSIONS_PER_HOUR", 20),
            max_query_depth=_int_env("PAKN_MAX_QUERY_DEPTH", 12),
            max_aliases=_int_env("PAKN_MAX_ALIASES", 30),
            max_tokens=_int_env("PAKN_MAX_TOKENS", 4000),
            max_body_bytes=_int_env("PAKN_MAX_BODY_BYTES", 256 * 1024),
            graphiql=os.environ.get("PAKN_GRAPHIQL", "1") != "0",
            compiled_queries=os.environ.get("PAKN_COMPILED_QUERIES", "1") != "0",
            statement_timeout_seconds=_int_env("PAKN_STATEMENT_TIMEOUT", 30),
            secret_key=server_secret_key(),
            ranking_minimum=_int_env("PAKN_RANKING_MINIMUM", 10),
            cors_origins=_list_env("PAKN_CORS_ORIGINS"),
            persisted_queries_max=_int_env("PAKN_PERSISTED_QUERIES", 10_000),
            persisted_queries_max_bytes=_int_env("PAKN_PERSISTED_QUERIES_BYTES", 32 * 1024 * 1024),
            cache_seconds=max(0, _int_env("PAKN_CACHE_SECONDS", 10)),
        )
