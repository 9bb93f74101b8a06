"""How long a petitioner's contact data is kept: the one rule the purge and its tests use.

Vietnam's personal data protection law (in force since 1 January 2026) expects personal
data kept no longer than its purpose needs. The contact data (name, e-mail, phone,
address, organisation, tax code) serves the handling of the petition: the agency may need
to reach the petitioner while it is open, and the petitioner may still follow an answer
up. So it is kept while the petition may still move, and erased `retention_days` after its
last event once it has settled: REJECTED or CLOSED (final), or ANSWERED with no follow-up
since (a follow-up reopens it, and the clock of retention starts again from its event).
SUBMITTED is not settled: the Government Office has yet to act on it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.vocabulary import PetitionStatus

DEFAULT_CONTACT_RETENTION_DAYS = 730
"""Two years after the last event; 0 keeps contact data for ever (no automatic erasure)."""

SETTLED_STATUSES: frozenset[PetitionStatus] = frozenset(
    {PetitionStatus.REJECTED, PetitionStatus.CLOSED, PetitionStatus.ANSWERED}
)
"""Statuses in which nothing is pending on the petitioner's contact data."""

SETTLED_STATUS_VALUES: tuple[str, ...] = tuple(sorted(SETTLED_STATUSES))
"""Their names in a fixed order, for SQL whose text is the same in every process."""


def retention_cutoff(now: datetime, retention_days: int) -> datetime | None:
    """Petitions whose last event came before this moment are due; None when retention is
    off (0 days)."""
    if retention_days < 0:
        raise ValueError("retention_days must be 0 (keep) or more")
    if retention_days == 0:
        return None
    return now - timedelta(days=retention_days)


def contact_due_for_erasure(
    status: str, last_event_at: datetime, now: datetime, retention_days: int
) -> bool:
    """Whether the contact data of a petition in `status`, whose last event was at
    `last_event_at`, must be erased as of `now`; SQL mirrors it in `db.queries.erasure`."""
    cutoff = retention_cutoff(now, retention_days)
    return cutoff is not None and status in SETTLED_STATUSES and last_event_at < cutoff
