"""One action on a petition, in its own transaction: the petition found by id (officers) or
by tracking code and secret (petitioners), the step applied, everything rolled back when
the action is refused (`UserErrors`, `ForbiddenRole`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.services import auth, transitions
from app.services.action_text import check_texts
from app.services.outcome import UserErrors, problem
from app.services.transitions import ActionScope, Change
from db.models import Attachment, Petition
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


async def publish(
    writes: WriteGate,
    session: AsyncSession,
    tracking_code: str,
    secret: str,
    attachment_id: int,
    public: bool,
) -> Petition:
    """The petitioner publishes one of their attachments (or takes it back): the public
    then sees it on the petition and may download it."""
    async with writes.transaction(session):
        petition = await auth.petition_of_petitioner(session, tracking_code, secret)
        if petition is None:
            raise invalid_secret()
        attachment = await session.get(Attachment, attachment_id)
        if attachment is None or attachment.petition_id != petition.id or attachment.answer_id:
            raise UserErrors(
                problem("NOT_FOUND", "This petition has no such attachment.", "attachmentId")
            )
        attachment.is_public = public
        return petition
