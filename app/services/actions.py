"""One action on a petition, in its own transaction: the petition found by id (officers) or
by tracking code and secret (petitioners), the step applied, everything rolled back when
the action is refused (`UserErrors`, `ForbiddenRole`)."""

from __future__ import annotations

from app.services import auth, transitions
from app.services.action_text import check_texts
from app.services.outcome import UserErrors, problem
from app.services.transitions import ActionScope, Change
from db.models import Petition
from db.transactions import WriteGate


def invalid_secret() -> UserErrors:
    """The one refusal of every petitioner action for an unknown tracking code or a wrong
    secret: which of the two it was is told to no one."""
    return UserErrors(
        problem("INVALID_SECRET", "The tracking code and secret do not match.", "secret")
    )


async def by_officer(
    writes: WriteGate, scope: ActionScope, petition_id: int, change: Change
) -> Petition:
    check_texts(change)
    async with writes.transaction(scope.session):
        petition = await scope.session.get(Petition, petition_id)
        if petition is None:
            raise UserErrors(problem("NOT_FOUND", "No petition has that id.", "petitionId"))
        await transitions.apply(scope, petition, change)
        return petition


async def by_petitioner(
    writes: WriteGate, scope: ActionScope, tracking_code: str, secret: str, change: Change
) -> Petition:
    check_texts(change)
    async with writes.transaction(scope.session):
        petition = await auth.petition_of_petitioner(scope.session, tracking_code, secret)
        if petition is None:
            raise invalid_secret()
        await transitions.apply(scope, petition, change)
        return petition
