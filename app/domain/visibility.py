"""Who may see what the public may not: a petitioner's contact data, private text and the
internal events of a petition."""

from __future__ import annotations

from app.domain.vocabulary import ActorRole
from app.domain.workflow import Actor


def handles_petition(actor: Actor | None, petition_agency_id: int | None) -> bool:
    """The Government Office and the assigned agency's officers handle a petition, and so
    see its petitioner's data and its internal events; the public (None) does not."""
    if actor is None:
        return False
    if actor.role is ActorRole.COORDINATOR:
        return True
    return (
        actor.role is ActorRole.AGENCY_OFFICER
        and petition_agency_id is not None
        and actor.agency_id == petition_agency_id
    )
