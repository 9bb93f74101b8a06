"""Configuration read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./pakn.db"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    response_working_days: int = 20
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_body_bytes: int = 256 * 1024
    graphiql: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("PAKN_DATABASE_URL", DEFAULT_DATABASE_URL),
            response_working_days=_int_env("PAKN_RESPONSE_WORKING_DAYS", 20),
            max_query_depth=_int_env("PAKN_MAX_QUERY_DEPTH", 12),
            max_aliases=_int_env("PAKN_MAX_ALIASES", 30),
            max_tokens=_int_env("PAKN_MAX_TOKENS", 4000),
            max_body_bytes=_int_env("PAKN_MAX_BODY_BYTES", 256 * 1024),
            graphiql=os.environ.get("PAKN_GRAPHIQL", "1") != "0",
        )
