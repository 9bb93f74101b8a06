"""The store of automatic persisted queries (`app.web.persisted_protocol` speaks the
protocol): the documents live in the database (`persisted_queries`), so a hash registered
through one worker answers on every worker and host; each worker keeps the ones it has used
in a small LRU in front of it, which is what lets the compiled path look a hash up without
a query. The table is bounded by count and by bytes: registering beyond a bound forgets the
least recently registered documents, whose clients then simply register them again.

A document can leave the table for another reason: an erasure deletes those that spell out
an erased contact value (`db.queries.erasure`). The worker that erases drops them from its
memory at once (`forget_cached_documents`); every other worker, on any host, serves a
document from memory for `MEMORY_SECONDS` at most after reading it from the table, then
reads it again, and a document no longer there is no longer served.
"""

from __future__ import annotations

import hashlib
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.timezone import now
from db.queries import persisted
from db.queries.erasure import scrubbed_values
from db.transactions import WriteGate


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


MEMORY_SECONDS = 30.0
"""How long a worker serves a document from memory after reading it from the table: at
most this long after another worker's erasure deleted it, it is served no more."""


@dataclass
class _Memory:
    """This worker's most recently used documents, bounded by count, bytes and age."""

    max_documents: int
    max_bytes: int
    max_seconds: float = MEMORY_SECONDS
    clock: Callable[[], float] = field(default=time.monotonic)

    def __post_init__(self) -> None:
        self.documents: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self.held = 0

    def get(self, sha: str) -> str | None:
        entry = self.documents.get(sha)
        if entry is None:
            return None
        document, since = entry
        if self.clock() - since > self.max_seconds:
            self.drop(sha)
            return None
        self.documents.move_to_end(sha)
        return document

    def put(self, sha: str, document: str) -> None:
        if len(document) > self.max_bytes:
            return
        self.drop(sha)
        self.documents[sha] = (document, self.clock())
        self.held += len(document)
        while len(self.documents) > self.max_documents or self.held > self.max_bytes:
            _, (dropped, _since) = self.documents.popitem(last=False)
            self.held -= len(dropped)

    def drop(self, sha: str) -> None:
        entry = self.documents.pop(sha, None)
        if entry is not None:
            self.held -= len(entry[0])

    def drop_naming(self, values: list[str]) -> int:
        naming = [
            sha
            for sha, (document, _since) in self.documents.items()
            if any(value in document for value in values)
        ]
        for sha in naming:
            self.drop(sha)
        return len(naming)


_STORES: weakref.WeakSet[PersistedQueries] = weakref.WeakSet()
"""This process's stores, which an erasure here tells to forget what it deleted."""


def forget_cached_documents(values: Iterable[str]) -> int:
    """Drop from this process's memory every document spelling out one of `values` (the
    same values `db.queries.erasure.forget_documents_naming` deletes from the table, once
    that has committed); return how many."""
    wanted = scrubbed_values(list(values))
    if not wanted:
        return 0
    return sum(store.memory.drop_naming(wanted) for store in list(_STORES))


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
        memory_seconds: float = MEMORY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.writes = writes
        self.max_documents = max_documents
        self.max_bytes = max_bytes
        self.memory = _Memory(memory_documents, min(memory_bytes, max_bytes), memory_seconds, clock)
        _STORES.add(self)

    def cached(self, sha: str) -> str | None:
        """The document if this worker holds it (and read it from the table less than
        `MEMORY_SECONDS` ago); never touches the database."""
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
