"""The tamper-evident event log: one SHA-256 hash chain over all petition events, in id order.

Why: the channel's promise is a public, trustworthy record of what happened to each petition.
Each event's hash covers its content and the previous event's hash, so editing, deleting or
reordering any stored event breaks the chain at that point, and :func:`verify_chain` names the
first broken row. One chain over *all* events (not one per petition) means deleting a whole
petition's history is detected too.

What it cannot do on its own: someone able to rewrite the table can recompute every hash after
the row they changed, and dropping the newest events leaves a valid (shorter) chain. The chain
becomes evidence only when its head (latest id and hash) is published or signed from time to
time; verifying then means checking the chain up to a published head.

Canonical encoding (version 1) of an event, hashed as ``sha256(...).hexdigest()``: the
compact JSON (``orjson.dumps``; no spaces, UTF-8, non-ASCII not escaped) of the list

    [id, petition_id, action, from_status, to_status, at,
     actor_role, agency_id, note, is_public, previous_hash]

where ``id``, ``petition_id`` and ``agency_id`` are integers (``agency_id`` may be null),
``action``, ``from_status``, ``to_status`` and ``actor_role`` are the enum values as strings
(``from_status`` may be null), ``note`` is a string or null, ``is_public`` is true/false,
``previous_hash`` is the previous event's 64-hex hash (:data:`GENESIS`, 64 zeros, for the
first), and ``at`` is the event time in UTC as ISO 8601 with exactly six fractional digits and
a ``Z``, e.g. ``"2026-03-02T02:30:00.000000Z"``. Python's standard library reproduces the bytes
with ``json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

GENESIS = "0" * 64
"""The ``previous_hash`` of the very first event."""

HASH_MISMATCH = "hash mismatch"
PREVIOUS_HASH_MISMATCH = "previous hash mismatch"
IDS_NOT_INCREASING = "ids not increasing"


@dataclass(frozen=True, slots=True)
class EventContent:
    """The hashed fields of one petition event, as stored."""

    id: int
    petition_id: int
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    actor_role: str
    agency_id: int | None
    note: str | None
    is_public: bool


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first row where the chain fails, and why."""

    event_id: int
    reason: str  # HASH_MISMATCH | PREVIOUS_HASH_MISMATCH | IDS_NOT_INCREASING


def canonical_event(content: EventContent, previous_hash: str) -> bytes:
    """The exact bytes hashed for an event (see the module docstring)."""
    return orjson.dumps(
        [
            content.id,
            content.petition_id,
            str(content.action),
            None if content.from_status is None else str(content.from_status),
            str(content.to_status),
            _utc_micro(content.at),
            str(content.actor_role),
            content.agency_id,
            content.note,
            content.is_public,
            previous_hash,
        ]
    )


def event_hash(content: EventContent, previous_hash: str) -> str:
    """Hex SHA-256 of the event's canonical encoding, chained to ``previous_hash``."""
    return hashlib.sha256(canonical_event(content, previous_hash)).hexdigest()


def verify_chain(
    events: Iterable[tuple[EventContent, str, str]], previous_hash: str = GENESIS
) -> BrokenLink | None:
    """The first broken link in ``events``, or None when the whole chain holds.

    ``events`` are ``(content, stored_previous_hash, stored_hash)`` in id order, streamed (a
    generator over millions of rows is fine: memory stays constant). ``previous_hash`` is the
    hash the first given event must follow: :data:`GENESIS` for a full check, or a known-good
    hash to resume from a checkpoint. Per row, in this order: ids must increase (gaps are
    fine, sequences skip), the stored previous hash must equal the prior row's stored hash
    (else a row was deleted, inserted or moved), and the stored hash must equal the recomputed
    one (else the row or its hash was edited).
    """
    expected_previous = previous_hash
    last_id: int | None = None
    for content, stored_previous, stored_hash in events:
        if last_id is not None and content.id <= last_id:
            return BrokenLink(content.id, IDS_NOT_INCREASING)
        if stored_previous != expected_previous:
            return BrokenLink(content.id, PREVIOUS_HASH_MISMATCH)
        if event_hash(content, stored_previous) != stored_hash:
            return BrokenLink(content.id, HASH_MISMATCH)
        expected_previous = stored_hash
        last_id = content.id
    return None


def _utc_micro(moment: datetime) -> str:
    """``2026-03-02T02:30:00.000000Z``: UTC, always six fractional digits, Z suffix.

    A naive time raises: guessing its zone would hash a different instant than the one
    stored (SQLite hands back naive datetimes; attach UTC when loading).
    """
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("event time must be timezone-aware")
    utc = moment if not offset else moment.astimezone(UTC)
    # A zero offset always renders as "+00:00"; isoformat is ~3x faster than field formatting.
    return utc.isoformat(timespec="microseconds")[:-6] + "Z"
