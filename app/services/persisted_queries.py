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

The documents live in the database (`persisted_queries`), so a hash registered through
one worker answers on every worker and host; each worker keeps the ones it has used in a
small LRU in front of it, which is what lets the compiled path look a hash up without a
query. The table is bounded by count and by bytes: registering beyond a bound forgets the
least recently registered documents, whose clients then simply register them again.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.timezone import now
from db.queries import persisted
from db.transactions import WriteGate

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


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass
class _Memory:
    """This worker's most recently used documents, bounded by count and bytes."""

    max_documents: int
    max_bytes: int

    def __post_init__(self) -> None:
        self.documents: OrderedDict[str, str] = OrderedDict()
        self.held = 0

    def get(self, sha: str) -> str | None:
        document = self.documents.get(sha)
        if document is not None:
            self.documents.move_to_end(sha)
        return document

    def put(self, sha: str, document: str) -> None:
        if sha in self.documents or len(document) > self.max_bytes:
            return
        self.documents[sha] = document
        self.held += len(document)
        while len(self.documents) > self.max_documents or self.held > self.max_bytes:
            _, dropped = self.documents.popitem(last=False)
            self.held -= len(dropped)


class PersistedQueries:
    """The document store: the database, behind this worker's LRU. Sizes count characters
    in memory and UTF-8 bytes in the database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        writes: WriteGate,
        *,
        max_documents: int,
        max_bytes: int,
        memory_documents: int = 1000,
        memory_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.sessions = sessions
        self.writes = writes
        self.max_documents = max_documents
        self.max_bytes = max_bytes
        self.memory = _Memory(memory_documents, min(memory_bytes, max_bytes))

    def cached(self, sha: str) -> str | None:
        """The document if this worker holds it; never touches the database."""
        return self.memory.get(sha)

    async def find(self, sha: str) -> str | None:
        document = self.memory.get(sha)
        if document is None:
            async with self.sessions() as session:
                document = await persisted.find(session, sha)
            if document is not None:
                self.memory.put(sha, document)
        return document

    async def register(self, sha: str, document: str) -> None:
        """Store a document (whose hash the caller checked, and which validated)."""
        if len(document.encode()) > self.max_bytes:
            return
        async with self.sessions() as session, self.writes.transaction(session):
            await persisted.store(session, sha, document, now())
            await persisted.evict(session, self.max_documents, self.max_bytes)
        self.memory.put(sha, document)
