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

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Text, and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.retention import SETTLED_STATUS_VALUES
from db.models import Attachment, Blob, Petition, PetitionerContact, PetitionEvent

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


@dataclass(frozen=True)
class Claimed:
    """A petition whose erasure this transaction claimed, as the claim left it."""

    id: int
    status: str
    agency_id: int | None


async def claim(
    session: AsyncSession,
    petition_ids: Sequence[int],
    now: datetime,
    *,
    cutoff: datetime | None = None,
) -> list[Claimed]:
    """Mark these petitions' contact data erased, and clear what was derived from the
    submission; return those claimed here, in id order: not those erased already (or, with
    `cutoff`, no longer due).

    On PostgreSQL the rows are locked first, in id order, in one statement: two purges
    never wait for each other crosswise, and the claim that follows reads the rows as the
    writers who held them left them (a statement of its own, so a new snapshot)."""
    if not petition_ids:
        return []
    ids = sorted(set(petition_ids))
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(Petition.id).where(Petition.id.in_(ids)).order_by(Petition.id).with_for_update()
        )
    condition = Petition.contact_erased_at.is_(None) if cutoff is None else _due(cutoff)
    rows = (
        await session.execute(
            update(Petition)
            .where(Petition.id.in_(ids), condition)
            .values(
                contact_erased_at=now,
                idempotency_key=None,
                submission_fingerprint=None,
                client_fingerprint=None,
            )
            .returning(Petition.id, Petition.status, Petition.agency_id)
            .execution_options(synchronize_session=False)
        )
    ).all()
    return sorted((Claimed(row.id, row.status, row.agency_id) for row in rows), key=_ident)


def _ident(claimed: Claimed) -> int:
    return claimed.id


async def delete_contacts(session: AsyncSession, petition_ids: Sequence[int]) -> list[str]:
    """Delete these petitions' contact rows, in one statement; return the values they held."""
    if not petition_ids:
        return []
    rows = (
        await session.execute(
            delete(PetitionerContact)
            .where(PetitionerContact.petition_id.in_(list(petition_ids)))
            .returning(
                PetitionerContact.full_name,
                PetitionerContact.email,
                PetitionerContact.phone,
                PetitionerContact.address,
                PetitionerContact.organization_name,
                PetitionerContact.tax_code,
            )
            .execution_options(synchronize_session=False)
        )
    ).all()
    await _delete_private_attachments(session, petition_ids)
    return sorted({value for row in rows for value in row if value})


async def _delete_private_attachments(session: AsyncSession, petition_ids: Sequence[int]) -> None:
    """The petitioners' unpublished files (an identity card, a letter with an address) go
    with their contact data; the bytes of each go too unless another attachment names them."""
    shas = (
        (
            await session.execute(
                delete(Attachment)
                .where(
                    Attachment.petition_id.in_(list(petition_ids)),
                    Attachment.answer_id.is_(None),
                    Attachment.is_public.is_(False),
                )
                .returning(Attachment.sha256)
                .execution_options(synchronize_session=False)
            )
        )
        .scalars()
        .all()
    )
    if not shas:
        return
    named = select(Attachment.sha256).where(Attachment.sha256.in_(set(shas)))
    await session.execute(
        delete(Blob)
        .where(Blob.sha256.in_(set(shas)), Blob.sha256.not_in(named))
        .execution_options(synchronize_session=False)
    )


def scrubbed_values(values: Sequence[str]) -> list[str]:
    """The values looked for in persisted documents (see `MIN_SCRUBBED_VALUE`)."""
    return sorted({value for value in values if len(value) >= MIN_SCRUBBED_VALUE})


_FORGET = {
    "postgresql": text(
        "DELETE FROM persisted_queries WHERE EXISTS (SELECT 1 FROM unnest(:wanted) AS w(value) "
        "WHERE strpos(document, w.value) > 0)"
    ).bindparams(bindparam("wanted", type_=ARRAY(Text))),
    "sqlite": text(
        "DELETE FROM persisted_queries WHERE EXISTS (SELECT 1 FROM json_each(:wanted) AS w "
        "WHERE instr(document, w.value) > 0)"
    ),
}
"""One pass over the documents for every value at once, the values in one parameter (an
array; JSON on SQLite): a batch's thousands of values neither make thousands of scans nor
run into a limit on bound parameters."""


async def forget_documents_naming(session: AsyncSession, values: Sequence[str]) -> int:
    """Delete the persisted GraphQL documents whose text holds one of `values` (their
    clients register them again when told PERSISTED_QUERY_NOT_FOUND), in one scan;
    return how many."""
    wanted = scrubbed_values(values)
    if not wanted:
        return 0
    dialect = session.get_bind().dialect.name
    parameter: object = wanted if dialect == "postgresql" else json.dumps(wanted)
    result = await session.execute(_FORGET[dialect], {"wanted": parameter})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
