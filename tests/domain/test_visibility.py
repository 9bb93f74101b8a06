"""Who handles a petition, and so sees its petitioner's data and internal events."""

from __future__ import annotations

import pytest

from app.domain.visibility import handles_petition
from app.domain.vocabulary import ActorRole
from app.domain.workflow import Actor

AGENCY = 7


@pytest.mark.parametrize(
    ("actor", "agency_id", "handles"),
    [
        (None, AGENCY, False),
        (Actor(ActorRole.COORDINATOR), AGENCY, True),
        (Actor(ActorRole.COORDINATOR), None, True),
        (Actor(ActorRole.AGENCY_OFFICER, AGENCY), AGENCY, True),
        (Actor(ActorRole.AGENCY_OFFICER, AGENCY + 1), AGENCY, False),
        (Actor(ActorRole.AGENCY_OFFICER, AGENCY), None, False),
        (Actor(ActorRole.ADMIN), AGENCY, False),
        (Actor(ActorRole.SYSTEM), AGENCY, False),
    ],
)
def test_the_office_and_the_assigned_agency_handle_a_petition(
    actor: Actor | None, agency_id: int | None, handles: bool
) -> None:
    assert handles_petition(actor, agency_id) is handles
