"""Pushing the transparency log's checkpoints to its witnesses (#16, point 6; C2SP
tlog-witness, the log pushes).

For each witness of PAKN_WITNESSES whose cosignature the latest checkpoint lacks: POST
`add-checkpoint` with the size that witness cosigned last and the consistency proof from
it; a 409 names the size the witness holds, and the request is made once more from there.
A 200's cosignature is kept only if it verifies under the witness's key. Run by the signer
job after each checkpoint, outside any transaction; a witness that is down is tried again
at the next run.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.signed_note import Note, NoteError, Verifier
from app.domain.timezone import now
from app.domain.witness import SIZE_MEDIA_TYPE
from db import log_checkpoints
from db.models import LogCheckpoint, LogCosignature
from db.queries import log
from db.transactions import WriteGate

logger = logging.getLogger("pakn.witness")
TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 16 * 1024


@dataclass(frozen=True)
class Witness:
    verifier: Verifier
    url: str

    @classmethod
    def from_setting(cls, pair: tuple[str, str]) -> Witness:
        return cls(Verifier.parse(pair[0]), pair[1])


async def cosignatures(session: AsyncSession, tree_size: int) -> list[str]:
    rows = await session.scalars(
        select(LogCosignature.line)
        .where(LogCosignature.tree_size == tree_size)
        .order_by(LogCosignature.witness_key)
    )
    return list(rows)


async def with_cosignatures(session: AsyncSession, checkpoint: LogCheckpoint) -> str:
    """The checkpoint's note with its witnesses' cosignatures after the log's signature."""
    return checkpoint.note + "".join(await cosignatures(session, checkpoint.tree_size))


async def push(
    sessions: async_sessionmaker[AsyncSession],
    writes: WriteGate,
    witnesses: Sequence[Witness],
    client: httpx.AsyncClient | None = None,
) -> int:
    """Bring the latest checkpoint to every witness that has not cosigned it; returns how
    many cosignatures were added."""
    if not witnesses:
        return 0
    async with sessions() as session:
        latest = await log_checkpoints.latest(session)
        if latest is None:
            return 0
        done = set(
            await session.scalars(
                select(LogCosignature.witness_key).where(
                    LogCosignature.tree_size == latest.tree_size
                )
            )
        )
        await session.commit()
    waiting = [w for w in witnesses if str(w.verifier) not in done]
    async with client or httpx.AsyncClient(timeout=TIMEOUT_SECONDS, trust_env=False) as http:
        lines = await asyncio.gather(*(_asked(sessions, http, w, latest) for w in waiting))
    added = 0
    for witness, line in zip(waiting, lines, strict=True):
        if line is None:
            continue
        async with sessions() as session, writes.transaction(session):
            session.add(
                LogCosignature(
                    tree_size=latest.tree_size,
                    witness_key=str(witness.verifier),
                    line=line,
                    cosigned_at=now(),
                )
            )
        added += 1
    return added


async def _asked(
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    witness: Witness,
    latest: LogCheckpoint,
) -> str | None:
    """The witness's cosignature, or None (logged) when it gives none: every witness is
    asked at once, so one that hangs holds the others no longer than its timeout."""
    try:
        return await _cosigned(sessions, http, witness, latest)
    except (httpx.HTTPError, ValueError, NoteError) as failed:
        logger.warning("witness %s: %s", witness.url, failed)
        return None


async def _cosigned(
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    witness: Witness,
    latest: LogCheckpoint,
) -> str | None:
    key = str(witness.verifier)
    async with sessions() as session:
        old = await session.scalar(
            select(func.max(LogCosignature.tree_size)).where(LogCosignature.witness_key == key)
        )
    old = int(old or 0)
    for _attempt in range(2):
        body = await _request(sessions, old, latest)
        status, media_type, answer = await _post(http, f"{witness.url}/add-checkpoint", body)
        if status == 409 and media_type.startswith(SIZE_MEDIA_TYPE):
            held = int(answer.decode().strip())
            if held > latest.tree_size:
                raise ValueError(
                    f"holds a tree of {held}, larger than the log's {latest.tree_size}"
                )
            old = held
            continue
        if status != 200:
            text = answer[:200].decode(errors="replace").strip()
            raise ValueError(f"answered {status}: {text}")
        return _verified_line(answer, latest, witness)
    raise ValueError("the witness's size changed twice")


async def _request(
    sessions: async_sessionmaker[AsyncSession], old: int, latest: LogCheckpoint
) -> str:
    proof: list[bytes] = []
    if 0 < old < latest.tree_size:
        async with sessions() as session:
            proof = await log.consistency_proof(session, old, latest.tree_size)
    lines = [f"old {old}", *(base64.b64encode(p).decode() for p in proof)]
    return "\n".join(lines) + "\n\n" + latest.note


async def _post(http: httpx.AsyncClient, url: str, body: str) -> tuple[int, str, bytes]:
    """POST, reading at most MAX_ANSWER_BYTES of the answer (a witness is not trusted)."""
    async with http.stream("POST", url, content=body.encode()) as response:
        answer = b""
        async for chunk in response.aiter_bytes():
            answer += chunk
            if len(answer) > MAX_ANSWER_BYTES:
                raise ValueError(f"answered more than {MAX_ANSWER_BYTES} bytes")
        return response.status_code, response.headers.get("content-type", ""), answer


def _verified_line(answer: bytes, latest: LogCheckpoint, witness: Witness) -> str | None:
    """The witness's own cosignature among the lines it answered, verified."""
    note = Note.parse(latest.note)
    lines = Note.parse(note.text + "\n" + answer.decode()).signatures
    for signature in lines:
        candidate = Note(note.text, (signature,))
        if candidate.signed_by(witness.verifier) is not None:
            return signature.line
    raise ValueError("its answer holds no cosignature of its key")
