"""The tamper-evident event log: a valid chain holds, and every kind of tampering is caught."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.chain import (
    GENESIS,
    HASH_MISMATCH,
    IDS_NOT_INCREASING,
    PREVIOUS_HASH_MISMATCH,
    BrokenLink,
    EventContent,
    canonical_event,
    event_hash,
    verify_chain,
)
from app.domain.vocabulary import Action, ActorRole, PetitionStatus

Row = tuple[EventContent, str, str]
START = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


def contents(n: int = 8) -> list[EventContent]:
    """A plausible interleaving of events over a few petitions, ids with gaps."""
    return [
        EventContent(
            id=10 + 3 * i,
            petition_id=1 + i % 3,
            action=Action.PROGRESS_UPDATE if i % 2 else Action.ASSIGN,
            from_status=None if i == 0 else PetitionStatus.ASSIGNED,
            to_status=PetitionStatus.IN_PROGRESS,
            at=START + timedelta(minutes=i, microseconds=i),
            actor_role=ActorRole.AGENCY_OFFICER,
            agency_id=None if i % 4 == 0 else 7,
            note=None if i % 3 == 0 else f"Đang xử lý, bước {i}",
            is_public=i % 2 == 0,
        )
        for i in range(n)
    ]


def chain(items: list[EventContent], previous: str = GENESIS) -> list[Row]:
    rows: list[Row] = []
    for content in items:
        digest = event_hash(content, previous)
        rows.append((content, previous, digest))
        previous = digest
    return rows


def edit(rows: list[Row], index: int, **changes: object) -> list[Row]:
    """The chain with one row's content edited but its stored hashes left as they were."""
    content, previous, digest = rows[index]
    copy = list(rows)
    copy[index] = (dataclasses.replace(content, **changes), previous, digest)
    return copy


def test_valid_chain_verifies() -> None:
    assert verify_chain(chain(contents())) is None
    assert verify_chain([]) is None


def test_verification_streams_from_a_generator() -> None:
    rows = chain(contents())
    assert verify_chain(row for row in rows) is None


def test_resume_from_a_checkpoint() -> None:
    rows = chain(contents())
    assert verify_chain(rows[5:], previous_hash=rows[4][2]) is None
    assert verify_chain(rows[5:]) == BrokenLink(rows[5][0].id, PREVIOUS_HASH_MISMATCH)


@pytest.mark.parametrize(
    "changes",
    [
        {"note": "Đã xử lý xong"},
        {"note": None},
        {"to_status": PetitionStatus.ANSWERED},
        {"from_status": None},
        {"at": START + timedelta(days=1)},
        {"at": START + timedelta(minutes=5, microseconds=6)},  # one microsecond off
        {"is_public": True},
        {"agency_id": 8},
        {"actor_role": ActorRole.ADMIN},
        {"action": Action.ANSWER},
        {"petition_id": 99},
    ],
    ids=lambda c: next(iter(c)),
)
def test_edited_row_is_the_first_broken_link(changes: dict[str, object]) -> None:
    rows = chain(contents())
    assert all(getattr(rows[5][0], k) != v for k, v in changes.items())
    tampered = edit(rows, 5, **changes)
    assert verify_chain(tampered) == BrokenLink(rows[5][0].id, HASH_MISMATCH)


def test_edited_stored_hash_is_reported_at_that_row() -> None:
    rows = chain(contents())
    content, previous, digest = rows[4]
    rows[4] = (content, previous, ("f" if digest[0] != "f" else "e") + digest[1:])
    assert verify_chain(rows) == BrokenLink(content.id, HASH_MISMATCH)


def test_edited_stored_previous_hash_is_reported_at_that_row() -> None:
    rows = chain(contents())
    content, _, digest = rows[4]
    rows[4] = (content, GENESIS, digest)
    assert verify_chain(rows) == BrokenLink(content.id, PREVIOUS_HASH_MISMATCH)


def test_deleting_a_middle_row_breaks_the_next_row() -> None:
    rows = chain(contents())
    del rows[3]
    assert verify_chain(rows) == BrokenLink(rows[3][0].id, PREVIOUS_HASH_MISMATCH)


def test_deleting_the_first_row_is_detected() -> None:
    rows = chain(contents())
    assert verify_chain(rows[1:]) == BrokenLink(rows[1][0].id, PREVIOUS_HASH_MISMATCH)


def test_swapping_two_rows_is_detected() -> None:
    rows = chain(contents())
    rows[3], rows[4] = rows[4], rows[3]
    assert verify_chain(rows) == BrokenLink(rows[3][0].id, PREVIOUS_HASH_MISMATCH)


def test_reordered_ids_are_detected_even_with_rehashed_links() -> None:
    """Rows re-linked in a new order (every hash recomputed) still trip the id check."""
    items = contents()
    items[3], items[4] = items[4], items[3]
    assert verify_chain(chain(items)) == BrokenLink(items[4].id, IDS_NOT_INCREASING)


def test_duplicate_id_is_detected() -> None:
    items = contents()
    items[5] = dataclasses.replace(items[5], id=items[4].id)
    assert verify_chain(chain(items)) == BrokenLink(items[5].id, IDS_NOT_INCREASING)


def test_hash_depends_on_previous_hash() -> None:
    content = contents(1)[0]
    assert event_hash(content, GENESIS) != event_hash(content, "1" * 64)


def test_same_instant_in_another_zone_hashes_the_same() -> None:
    content = contents(1)[0]
    shifted = dataclasses.replace(content, at=content.at.astimezone(timezone(timedelta(hours=7))))
    assert event_hash(shifted, GENESIS) == event_hash(content, GENESIS)


def test_naive_time_is_refused() -> None:
    content = dataclasses.replace(contents(1)[0], at=datetime(2026, 3, 2, 2, 30))
    with pytest.raises(ValueError):
        event_hash(content, GENESIS)


def test_encoding_is_the_documented_one_and_reproducible_with_json() -> None:
    """A reader outside pakn reproduces the hash from the docstring with the standard library."""
    content = EventContent(
        id=42,
        petition_id=7,
        action="ANSWER",
        from_status="IN_PROGRESS",
        to_status="ANSWERED",
        at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=7))),
        actor_role="AGENCY_OFFICER",
        agency_id=None,
        note='Trả lời "chính thức"\n\t\x01\u2028/\\ 🇻🇳',
        is_public=True,
    )
    fields = [
        42,
        7,
        "ANSWER",
        "IN_PROGRESS",
        "ANSWERED",
        "2026-03-02T02:30:00.000000Z",
        "AGENCY_OFFICER",
        None,
        content.note,
        True,
        GENESIS,
    ]
    expected = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical_event(content, GENESIS) == expected
    assert event_hash(content, GENESIS) == hashlib.sha256(expected).hexdigest()


def test_enum_members_and_their_values_hash_alike() -> None:
    content = contents(1)[0]
    plain = dataclasses.replace(
        content,
        action=str(content.action.value),  # type: ignore[attr-defined]
        to_status=str(content.to_status.value),  # type: ignore[attr-defined]
        actor_role=str(content.actor_role.value),  # type: ignore[attr-defined]
    )
    assert event_hash(plain, GENESIS) == event_hash(content, GENESIS)
