"""Automatic persisted queries, in Apollo's protocol: a client sends a document's SHA-256
instead of the document, and the document only when the server does not know the hash.

    {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<64 hex>"}}}

- hash alone, known: the stored document runs (over GET too, which makes the request
  cacheable by URL);
- hash alone, unknown: an error with message `PersistedQueryNotFound` and code
  `PERSISTED_QUERY_NOT_FOUND`, on which Apollo's `PersistedQueryLink` (and urql's
  persisted exchange) resend with the document;
- hash and document: the hash must be the document's (`PERSISTED_QUERY_HASH_MISMATCH`);
  the document is registered once it has run without any error, so only documents that
  pass every limit are stored.

The store behind it is `app.services.persisted_queries`.
"""

from __future__ import annotations

import re
from typing import Any

PROTOCOL_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """A refusal of the protocol: its HTTP status, stable code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def persisted_query_not_found() -> PersistedQueryError:
    """Status 200 and this exact message: what Apollo's link looks for before it retries.
    (A new exception each time: one raised again and again would keep every request's
    frames alive in its growing traceback.)"""
    return PersistedQueryError(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")


def requested_hash(extensions: Any) -> str | None:
    """The SHA-256 a request's `extensions` asks for, None when it asks for none."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    asked = extensions["persistedQuery"]
    if not isinstance(asked, dict) or asked.get("version") != PROTOCOL_VERSION:
        raise PersistedQueryError(
            400,
            "PERSISTED_QUERY_NOT_SUPPORTED",
            f"Only persistedQuery version {PROTOCOL_VERSION} is supported.",
        )
    sha = asked.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise PersistedQueryError(
            400, "BAD_REQUEST", "persistedQuery.sha256Hash must be 64 lowercase hex digits."
        )
    return sha
