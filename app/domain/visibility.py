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


def reads_private_text(
    actor: Actor | None, petition_agency_id: int | None, *, petitioner: bool
) -> bool:
    """Who reads a private petition's text: its petitioner (who proved the secret), the
    Government Office and the assigned agency's officers (`handles_petition`)."""
    return petitioner or handles_petition(actor, petition_agency_id)


def shown_text(text: str | None, is_private: bool, reader_reads_private: bool) -> str | None:
    """A petition's free text as one reader sees it: its title and body, its answers' bodies,
    its events' notes (every one: officers' notes may restate the request), its rating's
    comment and the note it was featured with. A private petition's are withheld (None)
    from every reader but those of `reads_private_text`; what is not free text (agencies,
    times, statuses, an answer's seal and body hash) is never withheld.

    The one rule: the GraphQL types, the compiled path, the exports, the report page and
    the live feed all call it (the public reader through `public_text`)."""
    if is_private and not reader_reads_private:
        return None
    return text


def public_text(text: str | None, is_private: bool) -> str | None:
    """The text as the public (no officer, no petitioner) sees it (`shown_text`)."""
    return shown_text(text, is_private, False)
