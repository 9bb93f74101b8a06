"""Petition history: batched pages of events per petition, and lookups by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from db.models import PetitionEvent


async def pages_by_petition(
    session: AsyncSession,
    petition_ids: Sequence[int],
    after_id: int | None,
    limit: int,
    public_only: bool = True,
) -> dict[int, list[PetitionEvent]]:
    """Up to `limit` events per petition after `after_id`, oldest first, in one statement."""
    conditions = [PetitionEvent.petition_id.in_(list(petition_ids))]
    if after_id is not None:
        conditions.append(PetitionEvent.id > after_id)
    if public_only:
        conditions.append(PetitionEvent.is_public.is_(True))
    position = (
        func.row_number()
        .over(partition_by=PetitionEvent.petition_id, order_by=PetitionEvent.id)
        .label("position")
    )
    ranked = select(PetitionEvent.id, position).where(*conditions).subquery()
    statement = (
        select(PetitionEvent)
        .options(joinedload(PetitionEvent.agency))
        .join(ranked, ranked.c.id == PetitionEvent.id)
        .where(ranked.c.position <= limit)
        .order_by(PetitionEvent.petition_id, PetitionEvent.id)
    )
    grouped: dict[int, list[PetitionEvent]] = {pid: [] for pid in petition_ids}
    for event in await session.scalars(statement):
        grouped[event.petition_id].append(event)
    return grouped


async def counts_by_petition(
    session: AsyncSession, petition_ids: Sequence[int], public_only: bool = True
) -> dict[int, int]:
    conditions = [PetitionEvent.petition_id.in_(list(petition_ids))]
    if public_only:
        conditions.append(PetitionEvent.is_public.is_(True))
    statement = (
        select(PetitionEvent.petition_id, func.count())
        .where(*conditions)
        .group_by(PetitionEvent.petition_id)
    )
    found = {pid: int(n) for pid, n in (await session.execute(statement)).all()}
    return {pid: found.get(pid, 0) for pid in petition_ids}


async def latest_by_petition(
    session: AsyncSession, petition_ids: Sequence[int], public_only: bool = True
) -> dict[int, PetitionEvent]:
    conditions = [PetitionEvent.petition_id.in_(list(petition_ids))]
    if public_only:
        conditions.append(PetitionEvent.is_public.is_(True))
    latest_ids = (
        select(func.max(PetitionEvent.id)).where(*conditions).group_by(PetitionEvent.petition_id)
    )
    rows = await session.scalars(
        select(PetitionEvent)
        .options(joinedload(PetitionEvent.agency))
        .where(PetitionEvent.id.in_(latest_ids))
    )
    return {row.petition_id: row for row in rows}


async def by_ids(
    session: AsyncSession, ids: Sequence[int], public_only: bool = True
) -> dict[int, PetitionEvent]:
    conditions = [PetitionEvent.id.in_(list(ids))]
    if public_only:
        conditions.append(PetitionEvent.is_public.is_(True))
    rows = await session.scalars(select(PetitionEvent).where(*conditions))
    return {row.id: row for row in rows}


async def counts_including_internal(
    session: AsyncSession, petition_ids: Sequence[int]
) -> dict[int, int]:
    return await counts_by_petition(session, petition_ids, public_only=False)


async def after(
    session: AsyncSession, after_id: int, limit: int, petition_id: int | None = None
) -> list[PetitionEvent]:
    """Committed events after `after_id`, oldest first, with their petition loaded."""
    statement = (
        select(PetitionEvent)
        .options(joinedload(PetitionEvent.petition), joinedload(PetitionEvent.agency))
        .where(PetitionEvent.id > after_id)
        .order_by(PetitionEvent.id)
        .limit(limit)
    )
    if petition_id is not None:
        statement = statement.where(PetitionEvent.petition_id == petition_id)
    return list(await session.scalars(statement))


async def last_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.max(PetitionEvent.id))) or 0)


async def replay_floor(
    session: AsyncSession, most: int, petition_id: int | None = None
) -> int | None:
    """The id after which exactly `most` events lie (of one petition, if given): a replay
    from before it would read more; None when there are not that many events at all."""
    statement = select(PetitionEvent.id).order_by(PetitionEvent.id.desc()).offset(most).limit(1)
    if petition_id is not None:
        statement = statement.where(PetitionEvent.petition_id == petition_id)
    return await session.scalar(statement)
