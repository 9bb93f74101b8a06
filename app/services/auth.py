"""Who is asking: the public, an officer with a bearer token, or a petitioner with a secret."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.credentials import parse_bearer, secret_matches
from app.domain.vocabulary import ActorRole
from app.domain.workflow import Actor
from db import tokens
from db.models import Petition
from db.queries import petitions


class AuthenticationFailed(Exception):
    """The request named credentials that do not hold: a malformed, unknown or revoked token."""


@dataclass(frozen=True)
class Officer:
    token_id: int
    actor: Actor


async def officer_for(session: AsyncSession, authorization: str | None) -> Officer | None:
    """The officer behind an Authorization header; None for the public (no header)."""
    if authorization is None or not authorization.strip():
        return None
    token = parse_bearer(authorization)
    if token is None:
        raise AuthenticationFailed("The Authorization header must be `Bearer <token>`.")
    row = await tokens.find_active(session, token)
    if row is None:
        raise AuthenticationFailed("The bearer token is unknown or has been revoked.")
    return Officer(row.id, Actor(ActorRole(row.role), row.agency_id))


async def petition_of_petitioner(
    session: AsyncSession,
    tracking_code: str,
    secret: str,
) -> Petition | None:
    """The petition whose tracking code and secret match, or None: the one petitioner check
    of every path (reading a petition, rating it, following it up). An unknown code and a
    wrong secret are told apart to no one."""
    petition = await petitions.by_tracking_code(session, tracking_code, petitions.Related())
    if (
        petition is None
        or not petition.secret_hash
        or not secret_matches(secret, petition.secret_hash)
    ):
        return None
    return petition


async def tokens_still_active(session: AsyncSession, token_ids: set[int]) -> set[int]:
    """Which of these officer tokens still work (the rest were revoked since)."""
    return await tokens.still_active(session, token_ids)
