"""The transparency log's keys and checkpoints (#16, point 2).

`issue` signs a C2SP checkpoint of the tree as committed, when it has grown since the last
one: its size, its root (folded from the stored tiles), the origin, signed as a C2SP note by
the current log key. Before signing it proves the new tree consistent with the last
checkpoint, so a log whose stored leaves changed under it stops signing instead of signing
a fork. The background job "log-checkpoint" runs it (one signer across workers and hosts).

The origin is the log's identity and never changes: the first key is named after
PAKN_PUBLIC_URL at the moment it is made (`<host>[:port][/path]/log`), and every later key
keeps that name whatever the setting says then.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import merkle
from app.domain.key_wrapping import KeyEncryptionKey
from app.domain.signed_note import Checkpoint, Note, NoteError, Signer, Verifier
from db.models import LogCheckpoint, LogKey
from db.queries import log

logger = logging.getLogger("pakn.log")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


class LogForked(RuntimeError):
    """The stored tree is not an extension of the last checkpoint: nothing is signed."""


def origin_of(public_url: str) -> str:
    parts = urlsplit(public_url.rstrip("/"))
    return f"{parts.netloc}{parts.path}/log"


async def current_key(session: AsyncSession) -> LogKey | None:
    return await session.scalar(
        select(LogKey).where(LogKey.retired_at.is_(None)).order_by(LogKey.created_at.desc())
    )


async def origin(session: AsyncSession) -> str | None:
    return await session.scalar(select(LogKey.name).order_by(LogKey.created_at).limit(1))


async def create_key(
    session: AsyncSession, kek: KeyEncryptionKey, public_url: str, now: datetime
) -> LogKey:
    """A new current key (the one before retired), named after the log's origin."""
    name = await origin(session)
    if name is None:
        name = origin_of(public_url)
        if urlsplit(public_url).hostname in LOOPBACK_NAMES:
            logger.warning(
                "transparency log: its origin is fixed now, for good, as %s (PAKN_PUBLIC_URL "
                "names this machine); set PAKN_PUBLIC_URL before the first checkpoint of a "
                "public log",
                name,
            )
    private = Ed25519PrivateKey.generate()
    verifier = str(Signer(name, private).verifier)
    for key in await session.scalars(select(LogKey).where(LogKey.retired_at.is_(None))):
        key.retired_at = now
    key = LogKey(
        verifier_key=verifier,
        name=name,
        private_key=kek.wrap(verifier, private.private_bytes_raw()),
        created_at=now,
    )
    session.add(key)
    await session.flush()
    return key


def signer_of(key: LogKey, kek: KeyEncryptionKey) -> Signer:
    raw = kek.unwrap(key.verifier_key, key.private_key)
    return Signer(key.name, Ed25519PrivateKey.from_private_bytes(raw))


async def public_keys(session: AsyncSession) -> list[str]:
    """Every log key's verifier key, the current one first."""
    newest_first = (LogKey.retired_at.is_not(None), LogKey.created_at.desc())
    rows = await session.scalars(select(LogKey.verifier_key).order_by(*newest_first))
    return list(rows)


async def latest(session: AsyncSession) -> LogCheckpoint | None:
    return await session.scalar(
        select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(1)
    )


async def issue(
    session: AsyncSession, kek: KeyEncryptionKey, public_url: str, now: datetime
) -> LogCheckpoint | None:
    """Sign and keep a checkpoint of the committed tree, in the session's transaction; None
    when the tree has not grown since the last one. LogForked if it is not consistent."""
    size = await log.tree_size(session)
    last = await latest(session)
    if last is not None and size < last.tree_size:
        raise LogForked(f"the tree has {size} leaves, fewer than checkpoint {last.tree_size}")
    if size == 0 or (last is not None and last.tree_size == size):
        return None
    root = await log.root(session, size)
    if last is not None:
        proof = await log.consistency_proof(session, last.tree_size, size)
        try:
            merkle.verify_consistency(last.tree_size, size, bytes(last.root), root, proof)
        except merkle.ProofError as failed:
            raise LogForked(
                f"the tree of {size} leaves does not extend checkpoint {last.tree_size}: {failed}"
            ) from None
    key = await current_key(session) or await create_key(session, kek, public_url, now)
    signer = signer_of(key, kek)
    body = Checkpoint(signer.name, size, root).body
    checkpoint = LogCheckpoint(
        tree_size=size, root=root, note=body + "\n" + signer.sign(body), issued_at=now
    )
    session.add(checkpoint)
    await session.flush()
    return checkpoint


async def audit(session: AsyncSession, batch: int = 1000) -> tuple[int, str | None]:
    """Check every checkpoint kept (`pakn audit verify`): its note says its size and root
    and is signed by one of the log's keys (that its root is the tree's at its size,
    `db.log_leaves.audit` checks in its pass over the leaves). Returns (checkpoints
    checked, the first problem or None).

    The keys are read after each batch of checkpoints, not once before them: a server
    signing while the audit runs may sign its first checkpoint, and create its key, in
    between, and a checkpoint is committed with its key or after it, never before."""
    checked, after = 0, -1
    while True:
        rows = list(
            await session.scalars(
                select(LogCheckpoint)
                .where(LogCheckpoint.tree_size > after)
                .order_by(LogCheckpoint.tree_size)
                .limit(batch)
            )
        )
        if not rows:
            return checked, None
        verifiers = [Verifier.parse(k) for k in await public_keys(session)]
        for checkpoint in rows:
            problem = await _checkpoint_problem(session, checkpoint, verifiers)
            if problem is not None:
                return checked, problem
            checked += 1
        after = rows[-1].tree_size
        session.expunge_all()


async def _checkpoint_problem(
    session: AsyncSession, checkpoint: LogCheckpoint, verifiers: list[Verifier]
) -> str | None:
    size = checkpoint.tree_size
    try:
        note = Note.parse(checkpoint.note)
        body = Checkpoint.parse(note.text)
        signed = [v for v in verifiers if note.signed_by(v) is not None]
    except NoteError as bad:
        return f"checkpoint {size}: {bad}"
    if (body.size, body.root) != (size, bytes(checkpoint.root)):
        return f"checkpoint {size}: its note names another tree"
    if not signed:
        return f"checkpoint {size}: not signed by any of the log's keys"
    return None


async def rekey(
    session: AsyncSession, old: Sequence[KeyEncryptionKey], new: KeyEncryptionKey
) -> tuple[list[str], list[str]]:
    """Re-encrypt the log's keys from one of the `old` key encryption keys to `new`, as
    `db.keys.rekey` does the sealing keys; returns (re-encrypted, opening under none)."""
    rekeyed: list[str] = []
    unopened: list[str] = []
    for key in await session.scalars(select(LogKey).order_by(LogKey.created_at)):
        if new.opens(key.verifier_key, key.private_key):
            continue
        opener = next((k for k in old if k.opens(key.verifier_key, key.private_key)), None)
        if opener is None:
            unopened.append(key.verifier_key)
            continue
        raw = opener.unwrap(key.verifier_key, key.private_key)
        key.private_key = new.wrap(key.verifier_key, raw)
        rekeyed.append(key.verifier_key)
    await session.flush()
    return rekeyed, unopened
