"""The Mutation type: the workflow's actions, each taking one `input` and returning a payload."""

from __future__ import annotations

import strawberry

from app.domain import Action
from app.transitions import Change
from app.validation import PetitionerData, SubmissionData
from resolvers import mutations
from schema.enums import Channel, EscalationReason, PetitionKind, PetitionSubject, RejectionReason
from schema.types import GraphInfo, Petition


@strawberry.type(description="Why an input was refused: the input path, a stable code, a sentence.")
class UserError:
    field: list[str] | None
    code: str
    message: str


@strawberry.type
class PetitionPayload:
    petition: Petition | None
    user_errors: list[UserError]


@strawberry.type
class SubmitPetitionPayload:
    petition: Petition | None
    tracking_code: str | None
    secret: str | None = strawberry.field(
        description="Shown once: keep it to rate the answer or follow up."
    )
    user_errors: list[UserError]


@strawberry.input
class PetitionerInput:
    full_name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    organization_name: str | None = None
    tax_code: str | None = None


@strawberry.input
class SubmitPetitionInput:
    channel: Channel
    kind: PetitionKind
    subject: PetitionSubject
    title: str
    body: str
    petitioner: PetitionerInput
    field_code: str | None = None
    province_code: str | None = None
    is_private: bool = False
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retrying with the same key returns the same petition."
    )


@strawberry.input
class AssignPetitionInput:
    petition_id: strawberry.ID
    agency_code: str
    expected_version: int
    field_code: str | None = None
    note: str | None = None


@strawberry.input
class RejectPetitionInput:
    petition_id: strawberry.ID
    reason: RejectionReason
    expected_version: int
    note: str | None = None
    duplicate_of: str | None = strawberry.field(
        default=None, description="The original's tracking code, for DUPLICATE."
    )


@strawberry.input
class TransferPetitionInput:
    petition_id: strawberry.ID
    agency_code: str
    expected_version: int
    note: str | None = None


@strawberry.input
class EscalatePetitionInput:
    petition_id: strawberry.ID
    reason: EscalationReason
    expected_version: int
    note: str | None = None


@strawberry.input
class FeaturePetitionInput:
    petition_id: strawberry.ID
    note: str = strawberry.field(description="Why the petition is useful; shown publicly.")
    expected_version: int


@strawberry.input
class PetitionActionInput:
    petition_id: strawberry.ID
    expected_version: int


@strawberry.input
class PetitionNoteInput:
    petition_id: strawberry.ID
    note: str
    expected_version: int


@strawberry.input
class AnswerPetitionInput:
    petition_id: strawberry.ID
    body: str
    expected_version: int


@strawberry.input
class RateAnswerInput:
    tracking_code: str
    secret: str
    score: int
    comment: str | None = None
    expected_version: int | None = None


@strawberry.input
class FollowUpInput:
    tracking_code: str
    secret: str
    body: str
    expected_version: int | None = None


def _payload(result: mutations.Result) -> PetitionPayload:
    return PetitionPayload(
        petition=result.petition,  # type: ignore[arg-type]
        user_errors=[
            UserError(field=list(p.field), code=p.code, message=p.message)
            for p in result.user_errors
        ],
    )


async def _officer(info: GraphInfo, petition_id: str, change: Change) -> PetitionPayload:
    return _payload(await mutations.officer_action(info.context, petition_id, change))


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Public: file a petition; returns its tracking code and secret."
    )
    async def submit_petition(
        self, info: GraphInfo, input: SubmitPetitionInput
    ) -> SubmitPetitionPayload:
        person = input.petitioner
        data = SubmissionData(
            channel=input.channel.value,
            kind=input.kind.value,
            subject=input.subject.value,
            title=input.title,
            body=input.body,
            field_code=input.field_code,
            province_code=input.province_code,
            is_private=input.is_private,
            petitioner=PetitionerData(
                full_name=person.full_name,
                email=person.email,
                phone=person.phone,
                address=person.address,
                organization_name=person.organization_name,
                tax_code=person.tax_code,
            ),
        )
        result = await mutations.submit(info.context, data, input.idempotency_key)
        payload = _payload(result)
        return SubmitPetitionPayload(
            petition=payload.petition,
            tracking_code=result.tracking_code,
            secret=result.secret,
            user_errors=payload.user_errors,
        )

    @strawberry.mutation(description="COORDINATOR: accept, classify and route to an agency.")
    async def assign_petition(self, info: GraphInfo, input: AssignPetitionInput) -> PetitionPayload:
        change = Change(
            Action.ASSIGN,
            input.expected_version,
            note=input.note,
            agency_code=input.agency_code,
            field_code=input.field_code,
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(description="COORDINATOR: refuse a petition, with a reason.")
    async def reject_petition(self, info: GraphInfo, input: RejectPetitionInput) -> PetitionPayload:
        change = Change(
            Action.REJECT,
            input.expected_version,
            note=input.note,
            reason=input.reason.value,
            duplicate_of=input.duplicate_of,
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(description="COORDINATOR: route the petition to another agency.")
    async def transfer_petition(
        self, info: GraphInfo, input: TransferPetitionInput
    ) -> PetitionPayload:
        change = Change(
            Action.TRANSFER, input.expected_version, note=input.note, agency_code=input.agency_code
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(description="COORDINATOR: escalate to the Government / Prime Minister.")
    async def escalate_petition(
        self, info: GraphInfo, input: EscalatePetitionInput
    ) -> PetitionPayload:
        change = Change(
            Action.ESCALATE, input.expected_version, note=input.note, reason=input.reason.value
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="COORDINATOR: feature a petition as useful (any status but REJECTED; the "
        "status stays); it is listed in the quarterly report. Featuring again updates the note."
    )
    async def feature_petition(
        self, info: GraphInfo, input: FeaturePetitionInput
    ) -> PetitionPayload:
        change = Change(Action.FEATURE, input.expected_version, note=input.note)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(description="AGENCY_OFFICER of the assigned agency: start handling it.")
    async def acknowledge_petition(
        self, info: GraphInfo, input: PetitionActionInput
    ) -> PetitionPayload:
        return await _officer(
            info, input.petition_id, Change(Action.ACKNOWLEDGE, input.expected_version)
        )

    @strawberry.mutation(
        description="AGENCY_OFFICER: the petition is outside this agency's competence."
    )
    async def request_transfer(self, info: GraphInfo, input: PetitionNoteInput) -> PetitionPayload:
        change = Change(Action.REQUEST_TRANSFER, input.expected_version, note=input.note)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(description="Publish a progress note; restarts the 20-working-day clock.")
    async def post_progress_update(
        self, info: GraphInfo, input: PetitionNoteInput
    ) -> PetitionPayload:
        change = Change(Action.PROGRESS_UPDATE, input.expected_version, note=input.note)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(description="Publish the official answer, sealed with the agency's key.")
    async def answer_petition(self, info: GraphInfo, input: AnswerPetitionInput) -> PetitionPayload:
        change = Change(Action.ANSWER, input.expected_version, body=input.body)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="The petitioner (with the secret) scores the answer; closes it."
    )
    async def rate_answer(self, info: GraphInfo, input: RateAnswerInput) -> PetitionPayload:
        change = Change(
            Action.RATE, input.expected_version, score=input.score, comment=input.comment
        )
        result = await mutations.petitioner_action(
            info.context, input.tracking_code, input.secret, change
        )
        return _payload(result)

    @strawberry.mutation(description="The petitioner says the answer did not resolve it.")
    async def follow_up_petition(self, info: GraphInfo, input: FollowUpInput) -> PetitionPayload:
        change = Change(Action.FOLLOW_UP, input.expected_version, note=input.body)
        result = await mutations.petitioner_action(
            info.context, input.tracking_code, input.secret, change
        )
        return _payload(result)
