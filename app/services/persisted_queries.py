"""The store of automatic persisted queries (`app.web.persisted_protocol` speaks the
protocol): the documents live in the database (`persisted_queries`), so a hash registered
through one worker answers on every worker and host; each worker keeps the ones it has used
in a small LRU in front of it, which is what lets the compiled path look a hash up without
a query. The table is bounded by count and by bytes: registering beyond a bound forgets the
least recently registered documents, whose clients then simply register them again.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.timezone import now
from db.queries import persisted
from db.transactions import WriteGate


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
