"""Agencies' sealing keys: created with the agency, rotatable, old keys kept for checking."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.signing import new_key_pair
from app.domain.timezone import to_local
from db.models import Agency, AgencyKey


async def current_key(session: AsyncSession, agency_id: int) -> AgencyKey | None:
    statement = (
        select(AgencyKey)
        .where(AgencyKey.agency_id == agency_id, AgencyKey.retired_at.is_(None))
        .order_by(AgencyKey.created_at.desc())
        .limit(1)
    )
    return await session.scalar(statement)


async def create_key(session: AsyncSession, agency: Agency, now: datetime) -> AgencyKey:
    pair = new_key_pair(agency.code, to_local(now).date())
    key = AgencyKey(
        key_id=pair.key_id,
        agency_id=agency.id,
        public_key=pair.public_key,
        private_key=pair.private_key,
        created_at=now,
    )
    session.add(key)
    await session.flush()
    return key


async def ensure_keys(session: AsyncSession, now: datetime) -> int:
    """Give every agency without a current key a new one; return how many were made."""
    keyed = set(
        await session.scalars(select(AgencyKey.agency_id).where(AgencyKey.retired_at.is_(None)))
    )
    agencies = [a for a in await session.scalars(select(Agency)) if a.id not in keyed]
    for agency in agencies:
        await create_key(session, agency, now)
    return len(agencies)


async def rotate(session: AsyncSession, agency: Agency, now: datetime) -> AgencyKey:
    """Retire the agency's current keys and make a new one; old answers stay verifiable."""
    for key in await session.scalars(
        select(AgencyKey).where(AgencyKey.agency_id == agency.id, AgencyKey.retired_at.is_(None))
    ):
        key.retired_at = now
    return await create_key(session, agency, now)


async def keys_by_agency(
    session: AsyncSession, agency_ids: Sequence[int]
) -> dict[int, list[AgencyKey]]:
    statement = (
        select(AgencyKey)
        .where(AgencyKey.agency_id.in_(list(agency_ids)))
        .order_by(AgencyKey.agency_id, AgencyKey.created_at.desc())
    )
    grouped: dict[int, list[AgencyKey]] = {agency_id: [] for agency_id in agency_ids}
    for key in await session.scalars(statement):
        grouped[key.agency_id].append(key)
    return grouped
