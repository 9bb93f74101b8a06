"""Agencies' sealing keys: created with the agency, rotatable, old keys kept for checking.

A private key is stored encrypted under the key encryption key (`app.domain.key_wrapping`),
which the callers hand down from the settings: nothing here reads the environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.key_wrapping import KeyEncryptionKey, KeyUnwrapError
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


async def create_key(
    session: AsyncSession, agency: Agency, now: datetime, kek: KeyEncryptionKey
) -> AgencyKey:
    pair = new_key_pair(agency.code, to_local(now).date())
    key = AgencyKey(
        key_id=pair.key_id,
        agency_id=agency.id,
        public_key=pair.public_key,
        private_key=kek.wrap(pair.key_id, pair.private_key),
        created_at=now,
    )
    session.add(key)
    await session.flush()
    return key


def private_key(key: AgencyKey, kek: KeyEncryptionKey) -> bytes:
    """The raw private key of `key`; KeyUnwrapError when `kek` is not the one it is under."""
    return kek.unwrap(key.key_id, key.private_key)


async def signing_key(
    session: AsyncSession, agency: Agency, now: datetime, kek: KeyEncryptionKey
) -> tuple[AgencyKey, bytes]:
    """The agency's current key (made now if it has none) and its raw private key."""
    key = await current_key(session, agency.id) or await create_key(session, agency, now, kek)
    return key, private_key(key, kek)


async def ensure_keys(session: AsyncSession, now: datetime, kek: KeyEncryptionKey) -> int:
    """Give every agency without a current key a new one; return how many were made."""
    keyed = set(
        await session.scalars(select(AgencyKey.agency_id).where(AgencyKey.retired_at.is_(None)))
    )
    agencies = [a for a in await session.scalars(select(Agency)) if a.id not in keyed]
    for agency in agencies:
        await create_key(session, agency, now, kek)
    return len(agencies)


async def rotate(
    session: AsyncSession, agency: Agency, now: datetime, kek: KeyEncryptionKey
) -> AgencyKey:
    """Retire the agency's current keys and make a new one; old answers stay verifiable."""
    for key in await session.scalars(
        select(AgencyKey).where(AgencyKey.agency_id == agency.id, AgencyKey.retired_at.is_(None))
    ):
        key.retired_at = now
    return await create_key(session, agency, now, kek)


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


async def keys_not_opening(session: AsyncSession, kek: KeyEncryptionKey) -> list[str]:
    """The ids of the current keys (those that sign) that do not decrypt under `kek`.
    Retired keys only check old seals by their public halves: a deployment that lost its
    old secret key rotates every agency's key (`pakn keys rotate --all`) and serves on."""
    rows = await session.execute(
        select(AgencyKey.key_id, AgencyKey.private_key).where(AgencyKey.retired_at.is_(None))
    )
    return sorted(key_id for key_id, stored in rows if not kek.opens(key_id, stored))


class KeysNotOpening(KeyUnwrapError):
    """Stored sealing keys do not decrypt under the configured key encryption key."""

    def __init__(self, key_ids: Sequence[str]) -> None:
        shown = ", ".join(key_ids[:5]) + (", ..." if len(key_ids) > 5 else "")
        super().__init__(
            f"{len(key_ids)} sealing key(s) ({shown}) do not decrypt under the configured key "
            "encryption key: the secret key (or PAKN_KEY_ENCRYPTION_KEY) changed. Run "
            "`pakn keys rekey --old-key-file FILE` with the previous secret key (or "
            "`--old-encryption-key-file FILE`), restore the previous key, or make new keys "
            "with `pakn keys rotate --all`."
        )
        self.key_ids = list(key_ids)


async def require_keys_open(session: AsyncSession, kek: KeyEncryptionKey) -> None:
    """Raise KeysNotOpening unless every current (not retired) key decrypts under `kek`."""
    refused = await keys_not_opening(session, kek)
    if refused:
        raise KeysNotOpening(refused)


@dataclass
class Rekeyed:
    """What `rekey` did: keys re-encrypted, keys already under the new KEK, current keys
    that decrypt under none of the KEKs given (then nothing was changed), and retired keys
    that decrypt under none, left as they are: a retired key never signs again, and its
    public half, which checks its answers, needs no key (`pakn keys rotate --all` after a
    lost secret key leaves such keys behind)."""

    rekeyed: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    unopened: list[str] = field(default_factory=list)
    retired_unopened: list[str] = field(default_factory=list)


async def rekey(
    session: AsyncSession, old: Sequence[KeyEncryptionKey], new: KeyEncryptionKey
) -> Rekeyed:
    """Re-encrypt every stored key from one of the `old` KEKs to `new`, in the session's
    transaction; a key already under `new` is left. When a current key opens under none of
    them, nothing is changed (the caller rolls back) and the result lists it; a retired one
    is listed and left."""
    done = Rekeyed()
    for key in await session.scalars(select(AgencyKey).order_by(AgencyKey.key_id)):
        if new.opens(key.key_id, key.private_key):
            done.current.append(key.key_id)
            continue
        opener = next((kek for kek in old if kek.opens(key.key_id, key.private_key)), None)
        if opener is None:
            unopened = done.unopened if key.retired_at is None else done.retired_unopened
            unopened.append(key.key_id)
            continue
        key.private_key = new.wrap(key.key_id, opener.unwrap(key.key_id, key.private_key))
        done.rekeyed.append(key.key_id)
    if done.unopened:
        await session.rollback()
    else:
        await session.flush()
    return done
