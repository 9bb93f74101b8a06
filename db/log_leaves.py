"""The transparency log's leaves (#16): `extend` gives every event without a leaf its
leaf, in id order, and stores the subtree hashes (tiles above level 0) they complete.

One implementation for every writer: `db.event_log.append` runs it in the event's own
transaction, under the chain lock (so leaves are appended in commit order, without gaps);
migration 0014 runs it over the events written before it, and `pakn demo` over those it
loads in bulk. Plain SQL on a synchronous connection (`AsyncSession.run_sync` for the
asynchronous callers), so that the migration depends on no ORM model of a later schema.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from app.domain import log_entry, merkle, tiles
from app.domain.log_entry import Entry, Seal
from db.log_audit import TreeWalk

BATCH = 5000

_EVENTS = sa.text(
    "SELECT e.id, e.petition_id, e.action, e.from_status, e.to_status, e.at, e.actor_role,"
    " e.note, e.is_public, p.tracking_code, p.title, p.body, a.code"
    " FROM petition_events e JOIN petitions p ON p.id = e.petition_id"
    " LEFT JOIN agencies a ON a.id = e.agency_id"
    " WHERE e.id > :after ORDER BY e.id LIMIT :batch"
)
_ANSWER = "(action || '') = 'ANSWER'"
"""Not `action = 'ANSWER'`: the planners would read every ANSWER by the action's index
rather than the few rows the id range or the petitions name."""
_ANSWERED = (
    f"SELECT petition_id FROM petition_events WHERE id > :after AND id <= :last AND {_ANSWER}"
)
_SEALS = sa.text(
    "SELECT e.id, s.seal_version, s.key_id, s.signature, s.body_sha256 FROM"
    " (SELECT id, petition_id,"
    "  ROW_NUMBER() OVER (PARTITION BY petition_id ORDER BY id) AS k"
    f"  FROM petition_events WHERE {_ANSWER} AND petition_id IN ({_ANSWERED})) e"
    " JOIN (SELECT petition_id, seal_version, key_id, signature, body_sha256,"
    "  ROW_NUMBER() OVER (PARTITION BY petition_id ORDER BY id) AS k"
    f"  FROM answers WHERE petition_id IN ({_ANSWERED})) s"
    " ON s.petition_id = e.petition_id AND s.k = e.k"
    " WHERE e.id > :after AND e.id <= :last"
)
"""The seal of each ANSWER event in a batch: the k-th ANSWER of a petition is its k-th
answer (each ANSWER writes one), both windows over the batch's answered petitions only."""


Salts = dict[str, bytes | None]
SALT_COLUMNS = ("note_salt", "title_salt", "body_salt", "blinding_salt")


def entry_of(row: Any, seal: Seal | None, salts: Salts | None = None) -> tuple[Entry, Salts]:
    """The entry of one event row (as `_EVENTS` reads it) and the salts of its texts: new
    ones, or `salts` (a stored leaf's, to check it)."""
    given = salts or {}
    made: Salts = {k: None for k in SALT_COLUMNS}
    if not row.is_public:
        made["blinding_salt"] = given.get("blinding_salt") or log_entry.new_salt()
    note = title = body = None
    if row.note is not None:
        made["note_salt"] = given.get("note_salt") or log_entry.new_salt()
        note = log_entry.commitment(made["note_salt"], row.note)
    if row.action == "SUBMIT":
        made["title_salt"] = given.get("title_salt") or log_entry.new_salt()
        made["body_salt"] = given.get("body_salt") or log_entry.new_salt()
        title = log_entry.commitment(made["title_salt"], row.title)
        body = log_entry.commitment(made["body_salt"], row.body)
    entry = Entry(
        event_id=row.id,
        tracking_code=row.tracking_code,
        action=row.action,
        from_status=row.from_status,
        to_status=row.to_status,
        at=_aware(row.at),
        actor_role=row.actor_role,
        agency_code=row.code,
        is_public=bool(row.is_public),
        note=note,
        title=title,
        body=body,
        seal=seal,
    )
    return entry, made


def seal_of(
    version: int | None, key_id: str | None, signature: str | None, digest: str | None
) -> Seal | None:
    if version is None or key_id is None or signature is None or digest is None:
        return None
    return Seal(int(version), key_id, signature, digest)


def _aware(at: datetime | str) -> datetime:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def extend(connection: sa.Connection, batch: int = BATCH) -> tuple[int, float]:
    """Give every event without a leaf its leaf, in id order, and store the subtree
    hashes they complete; returns (leaves added, seconds)."""
    started = time.perf_counter()
    size = int(
        connection.execute(
            sa.text("SELECT COALESCE(MAX(event_id), 0) FROM log_entries")
        ).scalar_one()
    )
    added = 0
    while True:
        rows = connection.execute(_EVENTS, {"after": size, "batch": batch}).all()
        if not rows:
            return added, time.perf_counter() - started
        if rows[0].id != size + 1:
            raise RuntimeError(f"the log has {size} leaves but the next event is {rows[0].id}")
        seals = _seals(connection, rows, size)
        leaves = []
        for row in rows:
            entry, salts = entry_of(row, seals.get(row.id))
            encoded = log_entry.leaf_of(entry, salts["blinding_salt"])
            leaves.append(
                {
                    "event_id": row.id,
                    "entry": encoded,
                    "leaf_hash": merkle.leaf_hash(encoded),
                    **salts,
                }
            )
        connection.execute(
            sa.text(
                "INSERT INTO log_entries (event_id, entry, leaf_hash, note_salt, title_salt,"
                " body_salt, blinding_salt) VALUES (:event_id, :entry, :leaf_hash, :note_salt,"
                " :title_salt, :body_salt, :blinding_salt)"
            ),
            leaves,
        )
        store_completed(connection, size, size + len(rows))
        size += len(rows)
        added += len(rows)
        if len(rows) < batch:  # that was the last of them: no read to find none
            return added, time.perf_counter() - started


def _seals(connection: sa.Connection, rows: list[Any], after: int) -> dict[int, Seal | None]:
    if not any(row.action == "ANSWER" for row in rows):
        return {}
    return {
        r.id: seal_of(r.seal_version, r.key_id, r.signature, r.body_sha256)
        for r in connection.execute(_SEALS, {"after": after, "last": rows[-1].id})
    }


_LEAVES = sa.text(
    "SELECT event_id, entry, leaf_hash, note_salt, title_salt, body_salt, blinding_salt"
    " FROM log_entries"
    " WHERE event_id > :after ORDER BY event_id LIMIT :batch"
)


def audit(connection: sa.Connection, batch: int = BATCH) -> tuple[int, str | None]:
    """Check the log against the events (`pakn audit verify`), in one pass: every event
    has its leaf, which is exactly the entry its event makes with the stored salts, hashed;
    every stored subtree hash and every checkpoint's root is the tree's
    (`db.log_audit.TreeWalk`). Returns (leaves checked, the first problem or None)."""
    checked = 0
    walk = TreeWalk(connection)
    while True:
        rows = connection.execute(_EVENTS, {"after": checked, "batch": batch}).all()
        leaves = connection.execute(_LEAVES, {"after": checked, "batch": batch}).all()
        if not rows and not leaves:
            return checked, walk.finish()
        seals = _seals(connection, rows, checked)
        for row, leaf in itertools.zip_longest(rows, leaves):
            problem = _leaf_problem(row, leaf, seals) or walk.add(bytes(leaf.leaf_hash))
            if problem is not None:
                return checked, problem
            checked += 1


def _leaf_problem(row: Any, leaf: Any, seals: dict[int, Seal | None]) -> str | None:
    if leaf is None or (row is not None and leaf.event_id > row.id):
        return f"event {row.id} has no leaf"
    if row is None or leaf.event_id < row.id:
        return f"the leaf of event {leaf.event_id} has no event"
    salts = {k: bytes(getattr(leaf, k)) if getattr(leaf, k) else None for k in SALT_COLUMNS}
    entry, made = entry_of(row, seals.get(row.id), salts)
    if log_entry.leaf_of(entry, made["blinding_salt"]) != bytes(leaf.entry):
        return f"the leaf of event {row.id} does not say what the event says"
    if merkle.leaf_hash(bytes(leaf.entry)) != bytes(leaf.leaf_hash):
        return f"the leaf hash of event {row.id} is not its entry's"
    return None


def store_completed(connection: sa.Connection, old_size: int, new_size: int) -> None:
    for level, position in tiles.completed(old_size, new_size):
        below = _hashes_below(connection, level, position)
        connection.execute(
            sa.text("INSERT INTO log_hashes (level, position, hash) VALUES (:l, :p, :h)"),
            {"l": level, "p": position, "h": tiles.fold(list(below))},
        )


def _hashes_below(connection: sa.Connection, level: int, position: int) -> Iterable[bytes]:
    first = position * tiles.TILE_WIDTH
    bounds = {"a": first, "b": first + tiles.TILE_WIDTH}
    if level == 1:
        statement = sa.text(
            "SELECT leaf_hash FROM log_entries WHERE event_id > :a AND event_id <= :b"
            " ORDER BY event_id"
        )
    else:
        statement = sa.text(
            "SELECT hash FROM log_hashes WHERE level = :level AND position >= :a"
            " AND position < :b ORDER BY position"
        ).bindparams(level=level - 1)
    hashes = [bytes(h) for (h,) in connection.execute(statement, bounds)]
    if len(hashes) != tiles.TILE_WIDTH:
        raise RuntimeError(f"the subtree {level}/{position} is not complete")
    return hashes
