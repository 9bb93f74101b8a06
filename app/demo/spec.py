"""What one load is, and where each of its chunks starts.

Work is cut into chunks of `CHUNK` petitions. Each chunk draws from its own `random.Random`
seeded by (seed, chunk index); ids and the chain head carry over from the previous chunk, so
output depends only on (seed, petitions, now, the database's last ids and event hash), never
on how the chunks are scheduled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

CHUNK = 5_000
"""Petitions per chunk: the unit of randomness, of a SQLite transaction and of a COPY."""


@dataclass(frozen=True)
class LoadSpec:
    """Everything a chunk needs besides its index and starting position (picklable)."""

    seed: int
    total: int
    now: int
    agency_ids: dict[str, int]
    field_ids: dict[str, int]
    keys: dict[int, tuple[str, bytes]]
    """Each agency's current sealing key: agency id -> (key id, raw Ed25519 private key)."""


class Position(NamedTuple):
    """Where a chunk starts: the next free ids, and the hash of the last event."""

    petition: int
    assignment: int
    answer: int
    event: int
    chain_head: str


def chunk_count(total: int) -> int:
    return (total + CHUNK - 1) // CHUNK
