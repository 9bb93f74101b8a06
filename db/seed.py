"""Idempotent loading of reference agencies and fields."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.key_wrapping import KeyEncryptionKey
from app.domain.reference import FIELDS, agencies
from app.domain.text import fold
from app.domain.timezone import now
from db.keys import ensure_keys
from db.models import Agency, Field


async def seed_reference_data(
    session: AsyncSession, key_encryption_key: KeyEncryptionKey | None = None
) -> None:
    """Insert missing agencies and fields, refresh the names of existing ones, and, given
    the key encryption key, give every agency a sealing key if it has none (without it,
    an agency's key is made when it first answers)."""
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
    if key_encryption_key is not None:
        await ensure_keys(session, now(), key_encryption_key)
    await session.commit()
