"""`load_demo`: append deterministic demo petitions with their full histories.

Each petition comes with its petitioner's contact row, assignments, answers, rating and the
full event history that leads to its final status, as `app.services.transitions` would have
written it. Events are chained onto the tamper-evident event log (`app.domain.chain`) exactly
as `db.event_log.append` chains them; answers are sealed (`app.domain.signing`) with each
agency's current key, so the rows are identical for equal (seed, petitions, now) on an empty
database except for `answers.signature` and `key_id`, which depend on that database's keys.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from time import perf_counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.demo.postgres_loader import load_with_copy
from app.demo.spec import LoadSpec
from app.demo.sqlite_loader import load_with_inserts
from app.domain.key_wrapping import KeyEncryptionKey
from app.domain.reference import FIELDS, agencies
from db import log_leaves, rollup
from db.engine import session_factory
from db.keys import ensure_keys
from db.models import Agency, AgencyKey, Field, Petition

log = logging.getLogger(__name__)


async def load_demo(
    engine: AsyncEngine,
    petitions: int,
    seed: int = 1,
    *,
    key_encryption_key: KeyEncryptionKey,
    now: datetime | None = None,
) -> int:
    """Append `petitions` deterministic demo petitions with full histories, sealed with the
    agencies' keys (under `key_encryption_key`); return how many were added."""
    if petitions <= 0:
        return 0
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    async with engine.connect() as conn:
        agency_ids, field_ids = await _reference_ids(conn)
    keys = await _sealing_keys(engine, moment, key_encryption_key)
    spec = LoadSpec(seed, petitions, int(moment.timestamp()), agency_ids, field_ids, keys)
    started = perf_counter()
    if engine.dialect.name == "postgresql":
        await load_with_copy(engine, spec)
    else:
        await load_with_inserts(engine, spec)
    async with engine.begin() as conn:
        await rollup.rebuild(conn)
        added, seconds = await conn.run_sync(log_leaves.extend)
    log.info("transparency log: %d leaves in %.1f s", added, seconds)
    log.info("loaded %d demo petitions in %.1f s", petitions, perf_counter() - started)
    return petitions


async def count_petitions(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(Petition))).scalar_one())


async def _reference_ids(conn: AsyncConnection) -> tuple[dict[str, int], dict[str, int]]:
    agency_ids = {code: i for code, i in (await conn.execute(select(Agency.code, Agency.id)))}
    field_ids = {code: i for code, i in (await conn.execute(select(Field.code, Field.id)))}
    missing = [a.code for a in agencies() if a.code not in agency_ids]
    missing += [f.code for f in FIELDS if f.code not in field_ids]
    if missing:
        raise RuntimeError(
            f"reference data missing ({', '.join(missing[:5])}); run prepare_database first"
        )
    return agency_ids, field_ids


async def _sealing_keys(
    engine: AsyncEngine, now: datetime, kek: KeyEncryptionKey
) -> dict[int, tuple[str, bytes]]:
    """The current key of every agency, making one for any agency that has none (as
    seeding does), so that every demo answer is sealed like a real one; each decrypted
    here, once, for the bulk signing."""
    async with session_factory(engine)() as session:
        await ensure_keys(session, now, kek)
        await session.commit()
        rows = await session.execute(
            select(AgencyKey.agency_id, AgencyKey.key_id, AgencyKey.private_key)
            .where(AgencyKey.retired_at.is_(None))
            .order_by(AgencyKey.agency_id, AgencyKey.created_at.desc(), AgencyKey.key_id)
        )
        keys: dict[int, tuple[str, bytes]] = {}
        for agency_id, key_id, private_key in rows:
            if agency_id not in keys:
                keys[agency_id] = (key_id, kek.unwrap(key_id, private_key))
        return keys
