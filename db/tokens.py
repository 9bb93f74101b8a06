"""Officers' bearer tokens: stored as hashes, looked up per request, revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.credentials import hash_secret, new_token
from db.models import OfficerToken


async def create(
    session: AsyncSession, role: str, agency_id: int | None, label: str | None, now: datetime
) -> tuple[OfficerToken, str]:
    """Store a new token's hash; return the row and the token, which is never stored."""
    token = new_token()
    row = OfficerToken(
        token_hash=hash_secret(token), role=role, agency_id=agency_id, label=label, created_at=now
    )
    session.add(row)
    await session.flush()
    return row, token


async def find_active(session: AsyncSession, token: str) -> OfficerToken | None:
    statement = select(OfficerToken).where(
        OfficerToken.token_hash == hash_secret(token), OfficerToken.revoked_at.is_(None)
    )
    return await session.scalar(statement)


async def list_all(session: AsyncSession) -> list[OfficerToken]:
    return list(await session.scalars(select(OfficerToken).order_by(OfficerToken.id)))


async def revoke(session: AsyncSession, token_id: int, now: datetime) -> bool:
    row = await session.get(OfficerToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


async def still_active(session: AsyncSession, token_ids: set[int]) -> set[int]:
    """Those of `token_ids` that are neither revoked nor gone: one statement for every
    socket a worker holds open."""
    if not token_ids:
        return set()
    statement = select(OfficerToken.id).where(
        OfficerToken.id.in_(token_ids), OfficerToken.revoked_at.is_(None)
    )
    return set(await session.scalars(statement))
