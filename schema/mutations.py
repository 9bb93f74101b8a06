"""The Mutation type: the workflow's actions, each taking one `input` and returning a payload."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain.validation import PetitionerData, SubmissionData
from app.domain.vocabulary import Action
from app.services.transitions import Change
from resolvers import mutations
from schema.info import GraphInfo
from schema.mutation_inputs import (
    AnswerPetitionInput,
    AssignPetitionInput,
    ErasePetitionerDataInput,
    EscalatePetitionInput,
    FeaturePetitionInput,
    FollowUpInput,
    PetitionActionInput,
    PetitionNoteInput,
    PetitionPayload,
    PublishAttachmentInput,
    RateAnswerInput,
    RecordPetitionInput,
    ReissuePetitionerSecretInput,
    RejectPetitionInput,
    SubmitPetitionInput,
    SubmitPetitionPayload,
    TransferPetitionInput,
    UserError,
)


def _payload(result: mutations.Result) -> PetitionPayload:
    return PetitionPayload(
        petition=result.petition,  # type: ignore[arg-type]
        user_errors=[
            UserError(field=list(p.field), code=p.code, message=p.message)
            for p in result.user_errors
        ],
    )


def _with_secret(result: mutations.Result) -> SubmitPetitionPayload:
    """The payload of a mutation that hands out a petitioner's secret, once."""
    payload = _payload(result)
    return SubmitPetitionPayload(
        petition=payload.petition,
        tracking_code=result.tracking_code,
        secret=result.secret,
        user_errors=payload.user_errors,
    )


async def _officer(info: GraphInfo, petition_id: str, change: Change) -> PetitionPayload:
    return _payload(await mutations.officer_action(info.context, petition_id, change))


def _submission_data(input: SubmitPetitionInput) -> SubmissionData:
    person = input.petitioner
    return SubmissionData(
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
            notify_by_email=person.notify_by_email,
        ),
    )


_INPUT = "The action's input."


@strawberry.type(
    description="The workflow's actions. Each takes one `input` and returns a payload whose "
    "userErrors carry expected refusals (nothing is then written). Officer actions need "
    "`Authorization: Bearer <token>`: without a valid token they fail with the top-level "
    "error UNAUTHENTICATED, and with FORBIDDEN when the token's role may never take the "
    "action. "
    "Officer actions refuse, as userErrors: INVALID_ID or NOT_FOUND (petitionId), "
    "INVALID_TRANSITION (not open in the petition's status), WRONG_AGENCY (an agency officer "
    "on another agency's petition), STALE_VERSION."
)
class Mutation:
    @strawberry.mutation(
        description="Public, no token needed: file a petition (status SUBMITTED); returns its "
        "tracking code and, once only, the petitioner's secret. At most "
        "PAKN_SUBMISSIONS_PER_HOUR (20) an hour from one client address (RATE_LIMITED)."
    )
    async def submit_petition(
        self,
        info: GraphInfo,
        input: Annotated[SubmitPetitionInput, strawberry.argument(description="The new petition.")],
    ) -> SubmitPetitionPayload:
        data = _submission_data(input)
        result = await mutations.submit(
            info.context,
            data,
            input.idempotency_key,
            input.challenge_solution,
            input.attachments or (),
        )
        return _with_secret(result)

    @strawberry.mutation(
        description="COORDINATOR: accept a SUBMITTED petition, classify it and route it to an "
        "agency (status ASSIGNED). Sets acceptedAt and starts the 20-working-day clock."
    )
    async def assign_petition(
        self,
        info: GraphInfo,
        input: Annotated[AssignPetitionInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(
            Action.ASSIGN,
            input.expected_version,
            note=input.note,
            agency_code=input.agency_code,
            field_code=input.field_code,
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="COORDINATOR: refuse a SUBMITTED petition, with a reason (status REJECTED, "
        "final)."
    )
    async def reject_petition(
        self,
        info: GraphInfo,
        input: Annotated[RejectPetitionInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(
            Action.REJECT,
            input.expected_version,
            note=input.note,
            reason=input.reason.value,
            duplicate_of=input.duplicate_of,
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="COORDINATOR: route an ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED or "
        "ESCALATED petition to another agency (status ASSIGNED); restarts the clock."
    )
    async def transfer_petition(
        self,
        info: GraphInfo,
        input: Annotated[TransferPetitionInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(
            Action.TRANSFER, input.expected_version, note=input.note, agency_code=input.agency_code
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="COORDINATOR: escalate an ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED or "
        "ANSWERED petition to the Government / Prime Minister (status ESCALATED); restarts the "
        "clock and, the first time, sets escalatedAt."
    )
    async def escalate_petition(
        self,
        info: GraphInfo,
        input: Annotated[EscalatePetitionInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(
            Action.ESCALATE, input.expected_version, note=input.note, reason=input.reason.value
        )
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="COORDINATOR: feature a petition as useful (any status but REJECTED; the "
        "status stays); it is listed in the quarterly report. Featuring again updates the note "
        "and featuredAt."
    )
    async def feature_petition(
        self,
        info: GraphInfo,
        input: Annotated[FeaturePetitionInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(Action.FEATURE, input.expected_version, note=input.note)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="COORDINATOR: urge (đôn đốc) the agency handling an ASSIGNED, IN_PROGRESS "
        "or TRANSFER_REQUESTED petition; the note, required, is the public message to the "
        "agency (event URGE, public, status unchanged). Increments urgeCount; neither the "
        "version nor the clock changes, so an officer's pending edit stays valid "
        "(expectedVersion is still checked). At most once a working day per petition: a "
        "second urge on the same working day (Asia/Ho_Chi_Minh; a weekend or holiday counts "
        "as the next working day) is refused with ALREADY_URGED, whose message says when the "
        "next urge is possible."
    )
    async def urge_petition(
        self,
        info: GraphInfo,
        input: Annotated[PetitionNoteInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(Action.URGE, input.expected_version, note=input.note)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="AGENCY_OFFICER of the assigned agency: start handling an ASSIGNED petition "
        "(status IN_PROGRESS). The clock keeps running."
    )
    async def acknowledge_petition(
        self,
        info: GraphInfo,
        input: Annotated[PetitionActionInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        return await _officer(
            info, input.petition_id, Change(Action.ACKNOWLEDGE, input.expected_version)
        )

    @strawberry.mutation(
        description="AGENCY_OFFICER of the assigned agency: an ASSIGNED or IN_PROGRESS "
        "petition is outside this agency's competence (status TRANSFER_REQUESTED), the note "
        "says why. The event and its note are internal: only officers see them. The clock "
        "keeps running."
    )
    async def request_transfer(
        self,
        info: GraphInfo,
        input: Annotated[PetitionNoteInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(Action.REQUEST_TRANSFER, input.expected_version, note=input.note)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="Publish a progress note; restarts the 20-working-day clock. AGENCY_OFFICER "
        "of the assigned agency on an IN_PROGRESS petition, COORDINATOR on an ESCALATED one; "
        "the status stays."
    )
    async def post_progress_update(
        self,
        info: GraphInfo,
        input: Annotated[PetitionNoteInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(Action.PROGRESS_UPDATE, input.expected_version, note=input.note)
        return await _officer(info, input.petition_id, change)

    @strawberry.mutation(
        description="COORDINATOR or AGENCY_OFFICER: enter a petition received by letter, "
        "phone, fax, e-mail or in person, as the petitioner gave it (status SUBMITTED, "
        "submittedAt its receivedAt); returns its tracking code and, once only, the "
        "petitioner's secret, to hand them on the receipt. Officers are spared the hourly "
        "limit and the bot check."
    )
    async def record_petition(
        self,
        info: GraphInfo,
        input: Annotated[RecordPetitionInput, strawberry.argument(description="The petition.")],
    ) -> SubmitPetitionPayload:
        result = await mutations.record(
            info.context,
            _submission_data(input),
            input.idempotency_key,
            input.intake_channel,
            input.received_at,
            input.attachments or (),
        )
        return _with_secret(result)

    @strawberry.mutation(
        description="Publish the official answer, sealed with the answering agency's key "
        "(status ANSWERED): AGENCY_OFFICER of the assigned agency on an IN_PROGRESS petition, "
        "COORDINATOR on an ESCALATED one (sealed by the Government Office). The first answer "
        "sets answeredAt, responseWorkingDays and answeredOnTime."
    )
    async def answer_petition(
        self,
        info: GraphInfo,
        input: Annotated[AnswerPetitionInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(Action.ANSWER, input.expected_version, body=input.body)
        result = await mutations.officer_action(
            info.context, input.petition_id, change, input.attachments or ()
        )
        return _payload(result)

    @strawberry.mutation(
        description="The petitioner, with their secret and no token, scores the answer of an "
        "ANSWERED petition; this closes it (status CLOSED, final). Refusals: INVALID_SECRET, "
        "INVALID_SCORE, TOO_LONG, INVALID_TRANSITION, STALE_VERSION."
    )
    async def rate_answer(
        self,
        info: GraphInfo,
        input: Annotated[RateAnswerInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(
            Action.RATE, input.expected_version, score=input.score, comment=input.comment
        )
        result = await mutations.petitioner_action(
            info.context, input.tracking_code, input.secret, change
        )
        return _payload(result)

    @strawberry.mutation(
        description="The petitioner, with their secret and no token, says the answer of an "
        "ANSWERED petition did not resolve it: the petition reopens (IN_PROGRESS) and the clock "
        "restarts; at PAKN_FOLLOW_UP_ESCALATION (2) follow-ups and after, it is escalated "
        "automatically (ESCALATED, REPEATED_COMPLAINT). Refusals: INVALID_SECRET, REQUIRED, "
        "TOO_LONG, INVALID_TRANSITION, STALE_VERSION."
    )
    async def follow_up_petition(
        self,
        info: GraphInfo,
        input: Annotated[FollowUpInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        change = Change(
            Action.FOLLOW_UP, input.expected_version, note=input.body, note_field="body"
        )
        result = await mutations.petitioner_action(
            info.context, input.tracking_code, input.secret, change
        )
        return _payload(result)

    @strawberry.mutation(
        description="COORDINATOR only (an agency holding the petitioner's secret could rate "
        "its own answer): a new secret for a petitioner who lost theirs, after checking "
        "who asks; the old one stops working at once, the new one is returned once (for the "
        "receipt), and a public SECRET_REISSUED event records it (no note; the status and "
        "the version unchanged). A retry of the original submission with its idempotencyKey "
        "is then refused with SECRET_REISSUED."
    )
    async def reissue_petitioner_secret(
        self,
        info: GraphInfo,
        input: Annotated[ReissuePetitionerSecretInput, strawberry.argument(description=_INPUT)],
    ) -> SubmitPetitionPayload:
        result = await mutations.reissue_secret(info.context, input.petition_id)
        return _with_secret(result)

    @strawberry.mutation(
        description="The petitioner, with their secret and no token, publishes one of their "
        "attachments (the public then sees it on the petition and may download it), or "
        "takes it back with isPublic: false. Their attachments are private until they do. "
        "Refusals: INVALID_SECRET, NOT_FOUND, INVALID_ID."
    )
    async def publish_attachment(
        self,
        info: GraphInfo,
        input: Annotated[PublishAttachmentInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        result = await mutations.publish_attachment(
            info.context, input.tracking_code, input.secret, input.attachment_id, input.is_public
        )
        return _payload(result)

    @strawberry.mutation(
        description="The petitioner, with their secret and no token, erases their contact "
        "data (name, e-mail, phone, address, organisation, tax code), in any status: it is "
        "deleted, a public CONTACT_ERASED event (no personal data, actor PETITIONER) is "
        "written, and from then on `petitioner` is null and `contactErasedAt` set. The "
        "status, the version and the public record (text, answers, seals, rating, history, "
        "statistics) stay; the secret keeps working for rateAnswer and followUpPetition. "
        "Refusals: INVALID_SECRET, ALREADY_ERASED (erased before, on request or after the "
        "retention period: nothing is written)."
    )
    async def erase_petitioner_data(
        self,
        info: GraphInfo,
        input: Annotated[ErasePetitionerDataInput, strawberry.argument(description=_INPUT)],
    ) -> PetitionPayload:
        result = await mutations.erase_petitioner_data(
            info.context, input.tracking_code, input.secret
        )
        return _payload(result)
