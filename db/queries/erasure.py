"""The SQL of erasing a petitioner's contact data (`app.services.erasure`).

Erasing is claimed with one `UPDATE ... WHERE contact_erased_at IS NULL` (and, for the
purge, the retention rule again): of two erasers racing for one petition (the petitioner
and the purge, two purges on two hosts) exactly one changes the row; the other's update
waits for it and then matches nothing, so one `CONTACT_ERASED` event is ever written.

What goes with the contact row: the columns of `petitions` derived from the submission or
the client (the idempotency key, which the client chose; the submission's fingerprint, a
SHA-256 over the contact data among the rest; the keyed hash of the client's address), and
any persisted GraphQL document that spells out one of the contact values (a client that
wrote them into the document's text instead of its variables).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.retention import SETTLED_STATUS_VALUES
from db.models import PersistedQuery, Petition, PetitionerContact, PetitionEvent

MIN_SCRUBBED_VALUE = 4
"""Contact values shorter than this are not looked for in persisted documents: two letters
of a name would match half of them."""


@dataclass(frozen=True)
class Due:
    """A petition whose contact data the retention rule erases, as the purge found it."""

    id: int
    submitted_at: datetime
    status: str
    agency_id: int | None


def _last_event_at() -> ColumnElement[datetime]:
    return (
        select(func.max(PetitionEvent.at))
        .where(PetitionEvent.petition_id == Petition.id)
        .scalar_subquery()
    )


def _due(cutoff: datetime) -> ColumnElement[bool]:
    """`app.domain.retention.contact_due_for_erasure`, in SQL. The submission time bounds
    the scan to the partial index `ix_petitions_contact_kept` (no event precedes it)."""
    return and_(
        Petition.contact_erased_at.is_(None),
        Petition.submitted_at < cutoff,
        Petition.status.in_(SETTLED_STATUS_VALUES),
        _last_event_at() < cutoff,
    )


async def due_for_erasure(
    session: AsyncSession, cutoff: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[Due]:
    """Up to `limit` petitions due, in (submission time, id) order after `after`."""
    statement = select(
        Petition.id, Petition.submitted_at, Petition.status, Petition.agency_id
    ).where(_due(cutoff))
    if after is not None:
        at, ident = after
        statement = statement.where(
            or_(Petition.submitted_at > at, and_(Petition.submitted_at == at, Petition.id > ident))
        )
    statement = statement.order_by(Petition.submitted_at, Petition.id).limit(limit)
    rows = (await session.execute(statement)).all()
    return [Due(row.id, row.submitted_at, row.status, row.agency_id) for row in rows]


async def claim(
    session: AsyncSession, petition_id: int, now: datetime, *, cutoff: datetime | None = None
) -> bool:
    """Mark the petition's contact data erased, and clear what was derived from the
    submission; False when it was erased already (or, with `cutoff`, is no longer due)."""
    condition = Petition.contact_erased_at.is_(None) if cutoff is None else _due(cutoff)
    result = await session.execute(
        update(Petition)
        .where(Petition.id == petition_id, condition)
        .values(
            contact_erased_at=now,
            idempotency_key=None,
            submission_fingerprint=None,
            client_fingerprint=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def delete_contact(session: AsyncSession, petition_id: int) -> list[str]:
    """Delete the petition's contact row; return the values it held."""
    row = (
        await session.execute(
            select(
                PetitionerContact.full_name,
                PetitionerContact.email,
                PetitionerContact.phone,
                PetitionerContact.address,
                PetitionerContact.organization_name,
                PetitionerContact.tax_code,
            ).where(PetitionerContact.petition_id == petition_id)
        )
    ).first()
    if row is None:
        return []
    await session.execute(
        delete(PetitionerContact)
        .where(PetitionerContact.petition_id == petition_id)
        .execution_options(synchronize_session=False)
    )
    return [value for value in row if value]


async def forget_documents_naming(session: AsyncSession, values: Sequence[str]) -> int:
    """Delete the persisted GraphQL documents whose text holds one of `values` (their
    clients register them again when told PERSISTED_QUERY_NOT_FOUND); return how many."""
    wanted = [value for value in values if len(value) >= MIN_SCRUBBED_VALUE]
    if not wanted:
        return 0
    result = await session.execute(
        delete(PersistedQuery)
        .where(or_(*(PersistedQuery.document.contains(value, autoescape=True) for value in wanted)))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
