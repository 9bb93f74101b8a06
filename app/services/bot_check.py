"""The bot check of a submission: challenges issued with a key derived from the server's
secret, and each solution spent once, in the submission's own transaction (so a refused
submission spends nothing, and two hosts cannot both accept one solution: the second
insert of its primary key fails and the submission is retried, then refused)."""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import challenge
from app.services.outcome import UserErrors, problem
from db.models import SpentChallenge

FIELD = "challengeSolution"


def _key(secret_key: str) -> bytes:
    """The challenges' signing key, derived from the server's secret for this one use."""
    return hmac.new(secret_key.encode(), b"bot-check", "sha256").digest()


def new_challenge(secret_key: str, now: datetime, max_number: int) -> str:
    return challenge.issue(_key(secret_key), now, max_number)


async def spend(
    session: AsyncSession,
    solution: str | None,
    now: datetime,
    *,
    secret_key: str,
    required: bool,
) -> None:
    """Accept `solution` once, or raise UserErrors: a submission must carry one when it is
    `required` (PAKN_SUBMIT_POW), and any it carries must hold."""
    checked = await unspent(session, solution, now, secret_key=secret_key, required=required)
    if checked is None:
        return
    await session.execute(delete(SpentChallenge).where(SpentChallenge.expires_at <= now))
    session.add(SpentChallenge(challenge=checked.challenge, expires_at=checked.expires_at))
    await session.flush()


async def unspent(
    session: AsyncSession,
    solution: str | None,
    now: datetime,
    *,
    secret_key: str,
    required: bool,
) -> challenge.Solved | None:
    """`spend`'s checks without spending: also asked before a submission's files are read,
    so that a stranger without a solution makes the server decode no picture."""
    if solution is None or not solution.strip():
        if required:
            raise UserErrors(
                problem(
                    "CHALLENGE_REQUIRED",
                    "Solve the bot check (Query.submitChallenge) and send its solution.",
                    FIELD,
                )
            )
        return None
    checked = challenge.check(solution.strip(), _key(secret_key), now)
    if isinstance(checked, challenge.Refused):
        raise UserErrors(problem(checked.code, checked.message, FIELD))
    spent = await session.scalar(
        select(SpentChallenge.challenge).where(SpentChallenge.challenge == checked.challenge)
    )
    if spent is not None:
        raise UserErrors(
            problem("CHALLENGE_USED", "This bot check was used already; solve a new one.", FIELD)
        )
    return checked
