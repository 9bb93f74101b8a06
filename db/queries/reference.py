"""Agencies and fields."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, Field
from db.queries.codes import lookup_code, storable_codes


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
    wanted = lookup_code(code)
    if wanted is None:
        return None
    return await session.scalar(select(Agency).where(Agency.code == wanted))


async def field_id_by_code(session: AsyncSession, code: str) -> int | None:
    wanted = lookup_code(code)
    if wanted is None:
        return None
    return await session.scalar(select(Field.id).where(Field.code == wanted))


async def agencies_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    """The id of each code that names an agency (the codes as given, not normalised)."""
    wanted = storable_codes(codes)
    if not wanted:
        return {}
    rows = await session.execute(select(Agency.code, Agency.id).where(Agency.code.in_(wanted)))
    return {code: ident for code, ident in rows.all()}


async def fields_by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, int]:
    """The id of each code that names a field (the codes as given, not normalised)."""
    wanted = storable_codes(codes)
    if not wanted:
        return {}
    rows = await session.execute(select(Field.code, Field.id).where(Field.code.in_(wanted)))
    return {code: ident for code, ident in rows.all()}


async def all_fields(session: AsyncSession) -> list[Field]:
    return list(await session.scalars(select(Field).order_by(Field.code)))
