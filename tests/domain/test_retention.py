"""The retention rule (#14, point 4): settled petitions' contact data is due
`retention_days` after their last event; open and submitted ones keep it; 0 days keeps all."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.retention import (
    DEFAULT_CONTACT_RETENTION_DAYS,
    SETTLED_STATUSES,
    contact_due_for_erasure,
    retention_cutoff,
)
from app.domain.timezone import VN_TZ
from app.domain.vocabulary import PetitionStatus

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=VN_TZ)


def test_the_default_is_two_years() -> None:
    assert DEFAULT_CONTACT_RETENTION_DAYS == 730
    assert retention_cutoff(NOW, 730) == NOW - timedelta(days=730)


def test_zero_days_keeps_contact_data_and_a_negative_count_is_a_bug() -> None:
    assert retention_cutoff(NOW, 0) is None
    assert not contact_due_for_erasure("CLOSED", NOW - timedelta(days=9999), NOW, 0)
    with pytest.raises(ValueError):
        retention_cutoff(NOW, -1)


@pytest.mark.parametrize("status", list(PetitionStatus))
def test_only_settled_petitions_past_the_period_are_due(status: PetitionStatus) -> None:
    long_ago, lately = NOW - timedelta(days=731), NOW - timedelta(days=729)
    settled = status in {PetitionStatus.CLOSED, PetitionStatus.REJECTED, PetitionStatus.ANSWERED}
    assert (status in SETTLED_STATUSES) == settled
    assert contact_due_for_erasure(status, long_ago, NOW, 730) == settled
    assert not contact_due_for_erasure(status, lately, NOW, 730)
