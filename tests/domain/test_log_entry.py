"""The log entry's encoding (`app.domain.log_entry`): an entry spells back exactly, an
internal event's leaf is blinded (its id alone, and a commitment to the whole entry), and
anything not written exactly so is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.domain import log_entry
from app.domain.log_entry import Blinded, Entry, Seal

SALT = bytes(range(32))
ENTRY = Entry(
    event_id=7,
    tracking_code="PAKN-2026-000123",
    action="ANSWER",
    from_status="IN_PROGRESS",
    to_status="ANSWERED",
    at=datetime(2026, 3, 2, 2, 30, 0, 123456, tzinfo=UTC),
    actor_role="AGENCY_OFFICER",
    agency_code="BTC",
    is_public=True,
    note=log_entry.commitment(SALT, "Đã xử lý."),
    seal=Seal(2, "BTC-2026-01-01-abcdef", "c2lnbmF0dXJl", "ab" * 32),
)


def test_an_entry_spells_back_and_its_texts_are_commitments() -> None:
    encoded = ENTRY.encode()
    assert log_entry.parse_leaf(encoded) == ENTRY == Entry.decode(encoded)
    assert "Đã xử lý".encode() not in encoded
    assert b"at 2026-03-02T02:30:00.123456Z\n" in encoded


def test_an_internal_events_leaf_is_blinded() -> None:
    internal = replace(ENTRY, is_public=False, seal=None, action="REQUEST_TRANSFER")
    leaf = log_entry.leaf_of(internal, SALT)
    assert leaf.split(b"\n")[:3] == [b"pakn-log-entry/v1", b"event 7", b"public 0"]
    assert b"PAKN-2026" not in leaf and b"REQUEST_TRANSFER" not in leaf
    blinded = log_entry.parse_leaf(leaf)
    assert blinded == Blinded.of(internal, SALT)
    assert blinded != Blinded.of(internal, bytes(32)), "the salt is part of the commitment"
    with pytest.raises(ValueError):
        log_entry.leaf_of(internal, None)
    assert log_entry.leaf_of(ENTRY, None) == ENTRY.encode()


@pytest.mark.parametrize(
    "leaf",
    [
        b"",
        b"pakn-log-entry/v1\n",
        b"pakn-log-entry/v1\nevent 7\npublic 0\nblinded xyz\n",
        b"pakn-log-entry/v1\nevent 07\npublic 0\nblinded " + b"a" * 64 + b"\n",
        b"pakn-log-entry/v1\nevent 7\npublic 0\nblinded " + b"A" * 64 + b"\n",
        ENTRY.encode().replace(b"to ANSWERED", b"to  ANSWERED"),
        ENTRY.encode() + b"extra 1\n",
        ENTRY.encode().replace(b"public 1", b"public 2"),
        ENTRY.encode()[:-1],
        "pakn-log-entry/v1\nevent 7\npetition PAKN-2026-00012\u0663\n".encode(),
    ],
)
def test_anything_else_is_refused(leaf: bytes) -> None:
    with pytest.raises(ValueError):
        log_entry.parse_leaf(leaf)
