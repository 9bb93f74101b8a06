"""Agencies and fields."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.text import normalize_code
from db.models import Agency, Field


def _agency_conditions(kind: str | None, search_terms: Sequence[str]) -> list[ColumnElement[bool]]:
    conditions = [Agency.search_text.contains(term, autoescape=True) for term in search_terms]
    if kind:
        conditions.append(Agency.kind == kind)
    return conditions


async def agency_page(
    session: AsyncSession,
    *,
    after_id: int | None,
    limit: int,
    kind: str | None,
    search_terms: Sequence[str],
) -> tuple[list[Agency], bool]:
    statement = (
        select(Agency)
        .where(*_agency_conditions(kind, search_terms))
        .order_by(Agency.id)
        .limit(limit + 1)
    )
    if after_id is not None:
        statement = statement.where(Agency.id > after_id)
    rows = list(await session.scalars(statement))
    return rows[:limit], len(rows) > limit


async def agency_count(session: AsyncSession, kind: str | None, search_terms: Sequence[str]) -> int:
    statement = (
        select(func.count()).select_from(Agency).where(*_agency_conditions(kind, search_terms))
    )
    return int(await session.scalar(statement) or 0)


async def agency_by_code(session: AsyncSession, code: str) -> Agency | None:
    """The agency a client named, however it spaced and cased the code."""
    return await session.scalar(select(Agency).where(Agency.code == normalize_code(code)))


async def field_id_by_code(session: AsyncSession, code: str) -> int | None:
    return await session.scalar(select(Field.id).where(Field.code == normalize_code(code)))


async def agencies_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(select(Agency.code, Agency.id).where(Agency.code.in_(list(codes))))
    return {code: ident for code, ident in rows.all()}


async def fields_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(select(Field.code, Field.id).where(Field.code.in_(list(codes))))
    return {code: ident for code, ident in rows.all()}


async def all_fields(session: AsyncSession) -> list[Field]:
    return list(await session.scalars(select(Field).order_by(Field.code)))
