"""The demo's events chained onto the tamper-evident event log, as `db.event_log.append`
chains them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import orjson

from app.demo.rows import Row


def chain_events(
    events: list[Row], head: str, chain_time: Callable[[int], str]
) -> tuple[list[Row], str]:
    """Append `previous_hash` and `hash` to each event row, continuing the chain from
    `head`; the canonical encoding of `app.domain.chain` (tests check it against `verify`)."""
    chained: list[Row] = []
    sha256 = hashlib.sha256
    dumps = orjson.dumps
    for row in events:
        event_id, petition_id, action, from_status, to_status, at, role, agency_id, note, public = (
            row
        )
        digest = sha256(
            dumps(
                [
                    event_id,
                    petition_id,
                    action,
                    from_status,
                    to_status,
                    chain_time(at),
                    role,
                    agency_id,
                    note,
                    public,
                    head,
                ]
            )
        ).hexdigest()
        chained.append((*row, head, digest))
        head = digest
    return chained, head
