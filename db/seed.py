"""Idempotent loading of reference agencies and fields."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reference import FIELDS, agencies
from app.domain.text import fold
from app.domain.timezone import now
from db.keys import ensure_keys
from db.models import Agency, Field


async def seed_reference_data(session: AsyncSession) -> None:
    """Insert missing agencies and fields, refresh the names of existing ones, and give
    every agency a sealing key if it has none."""
    known_agencies = {a.code: a for a in (await session.scalars(select(Agency))).all()}
    for ref in agencies():
        row = known_agencies.get(ref.code) or Agency(code=ref.code)
        row.kind = ref.kind
        row.name = ref.name
        row.name_en = ref.name_en
        row.province_code = ref.province_code
        row.search_text = fold(f"{ref.code} {ref.name} {ref.name_en}")
        session.add(row)
    known_fields = {f.code: f for f in (await session.scalars(select(Field))).all()}
    for field_ref in FIELDS:
        field = known_fields.get(field_ref.code) or Field(code=field_ref.code)
        field.name = field_ref.name
        field.name_en = field_ref.name_en
        session.add(field)
    await session.flush()
    await ensure_keys(session, now())
    await session.commit()
