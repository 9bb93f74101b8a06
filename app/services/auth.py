"""Who is asking: the public, an officer with a bearer token, or a petitioner with a secret."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.credentials import parse_bearer
from app.domain.vocabulary import ActorRole
from app.domain.workflow import Actor
from db import tokens


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


def sees_contact_data(officer: Officer | None, petition_agency_id: int | None) -> bool:
    """The Government Office and the assigned agency's officers handle the petitioner's data."""
    if officer is None:
        return False
    if officer.actor.role is ActorRole.COORDINATOR:
        return True
    return (
        officer.actor.role is ActorRole.AGENCY_OFFICER
        and petition_agency_id is not None
        and officer.actor.agency_id == petition_agency_id
    )
