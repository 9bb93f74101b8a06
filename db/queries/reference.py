"""Agencies and fields."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, Field


async def agency_page(
    session: AsyncSession,
    *,
    after_id: int | None,
    limit: int,
    kind: str | None,
    search_terms: Sequence[str],
) -> tuple[list[Agency], bool]:
    statement = select(Agency).order_by(Agency.id).limit(limit + 1)
    if after_id is not None:
        statement = statement.where(Agency.id > after_id)
    if kind:
        statement = statement.where(Agency.kind == kind)
    for term in search_terms:
        statement = statement.where(Agency.search_text.contains(term, autoescape=True))
    rows = list(await session.scalars(statement))
    return rows[:limit], len(rows) > limit


async def agency_count(session: AsyncSession, kind: str | None, search_terms: Sequence[str]) -> int:
    statement = select(Agency.id)
    if kind:
        statement = statement.where(Agency.kind == kind)
    for term in search_terms:
        statement = statement.where(Agency.search_text.contains(term, autoescape=True))
    return len((await session.scalars(statement)).all())


async def agency_by_code(session: AsyncSession, code: str) -> Agency | None:
    return await session.scalar(select(Agency).where(Agency.code == code))


async def agencies_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(select(Agency.code, Agency.id).where(Agency.code.in_(list(codes))))
    return {code: ident for code, ident in rows.all()}


async def fields_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(select(Field.code, Field.id).where(Field.code.in_(list(codes))))
    return {code: ident for code, ident in rows.all()}


async def all_fields(session: AsyncSession) -> list[Field]:
    return list(await session.scalars(select(Field).order_by(Field.code)))
