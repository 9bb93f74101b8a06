"""The Mutation type: the workflow's actions, each taking one `input` and returning a payload."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from app.domain.validation import PetitionerData, SubmissionData
from app.domain.vocabulary import Action
from app.services.transitions import Change
from resolvers import mutations
from schema.descriptions import PETITION_SUBJECT
from schema.enums import Channel, EscalationReason, PetitionKind, PetitionSubject, RejectionReason
from schema.types import GraphInfo, PetitionType

# Fields that several inputs declare alike. Each call makes a new StrawberryField: one
# instance must not be shared between input types.


def _petition_id() -> Any:
    return strawberry.field(
        description="The petition's global id (Petition.id); INVALID_ID when it is not a "
        "petition's id, NOT_FOUND when no petition has it."
    )


def _expected_version() -> Any:
    return strawberry.field(
        description="The petition's `version` as you last read it; if it has changed since, "
        "the action is refused with STALE_VERSION and nothing is written."
    )


def _optional_public_note() -> Any:
    return strawberry.field(
        default=None,
        description="A public note on the change (on its PetitionEvent), at most 5,000 "
        "characters (TOO_LONG).",
    )


def _tracking_code() -> Any:
    return strawberry.field(description="The petition's tracking code, any letter case.")


def _secret() -> Any:
    return strawberry.field(
        description="The secret submitPetition returned; a wrong secret or an unknown tracking "
        "code is refused with INVALID_SECRET."
    )


def _optional_expected_version() -> Any:
    return strawberry.field(
        default=None,
        description="The petition's `version` as you last read it (STALE_VERSION if it has "
        "changed); null to act on the current version.",
    )


@strawberry.type(
    description="Why an input was refused: the input path, a stable code, a sentence. When a "
    "payload has userErrors, nothing was written."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description="The path to the input value at fault, from the argument down, e.g. "
        '["input", "petitioner", "email"]; just ["input"] when no single value is (RATE_LIMITED). '
        "pakn always sets it."
    )
    code: str = strawberry.field(
        description="Stable, for programs: e.g. STALE_VERSION, INVALID_TRANSITION, "
        "WRONG_AGENCY, TOO_SHORT, UNKNOWN_CODE (each mutation lists its own)."
    )
    message: str = strawberry.field(
        description="A sentence in English for people; its wording may change."
    )


@strawberry.type(description="The result of an action on a petition.")
class PetitionPayload:
    petition: PetitionType | None = strawberry.field(
        description="The petition as the action left it; null when the action was refused "
        "(see userErrors)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the action was refused; empty when it succeeded."
    )


@strawberry.type(description="The result of submitPetition.")
class SubmitPetitionPayload:
    petition: PetitionType | None = strawberry.field(
        description="The new petition (SUBMITTED), its petitioner and private text included "
        "in this response; null when refused."
    )
    tracking_code: str | None = strawberry.field(
        description="The petition's public handle, e.g. PAKN-2026-000123; null when refused."
    )
    secret: str | None = strawberry.field(
        description="Shown once: keep it to see the petition as its petitioner "
        "(petitionForPetitioner), rate the answer or follow up. pakn stores only its hash and "
        "cannot show it again (a retry with the same idempotencyKey returns it again). Null "
        "when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Every problem found in the input, so a form can be fixed in one round "
        "trip; empty when the petition was filed."
    )


@strawberry.input(
    description="Who submits the petition. Never public: only the petitioner, the assigned "
    "agency's officers and the Government Office see it (Petition.petitioner). Give an email "
    "or a phone number (REQUIRED, reported on email); a BUSINESS petition also needs "
    "organizationName and taxCode. An empty string counts as not given."
)
class PetitionerInput:
    full_name: str = strawberry.field(
        description="Full name, 2 to 200 characters (TOO_SHORT, TOO_LONG, INVALID_TEXT for "
        "control characters)."
    )
    email: str | None = strawberry.field(
        default=None,
        description="An e-mail address like name@example.vn, at most 254 characters "
        "(INVALID_EMAIL).",
    )
    phone: str | None = strawberry.field(
        default=None,
        description="A Vietnamese phone number: 10 digits from 03, 05, 07, 08 or 09, a "
        "landline from 02, or +84 and the digits after the 0; spaces, dots, dashes and "
        "parentheses allowed (INVALID_PHONE).",
    )
    address: str | None = strawberry.field(
        default=None, description="Postal address, at most 500 characters (TOO_LONG)."
    )
    organization_name: str | None = strawberry.field(
        default=None,
        description="The organisation's name, 2 to 300 characters; required for BUSINESS "
        "(REQUIRED).",
    )
    tax_code: str | None = strawberry.field(
        default=None,
        description="The organisation's tax code: 10 or 13 digits, the 13 possibly written "
        "as 10, a dash and 3 (INVALID_TAX_CODE); required for BUSINESS (REQUIRED).",
    )


@strawberry.input(
    description="A new petition. Text is stored in Unicode NFC with whitespace tidied; "
    "every problem is reported at once in userErrors."
)
class SubmitPetitionInput:
    channel: Channel = strawberry.field(description="A citizen or a business.")
    kind: PetitionKind = strawberry.field(description="A report or a proposal.")
    subject: PetitionSubject = strawberry.field(description=PETITION_SUBJECT)
    title: str = strawberry.field(
        description="The title, 10 to 200 characters, on one line (TOO_SHORT, TOO_LONG, "
        "INVALID_TEXT)."
    )
    body: str = strawberry.field(
        description="The text, 30 to 10,000 characters; line breaks are kept (TOO_SHORT, "
        "TOO_LONG, INVALID_TEXT)."
    )
    petitioner: PetitionerInput = strawberry.field(description="Who submits it; never public.")
    field_code: str | None = strawberry.field(
        default=None,
        description="The field (lĩnh vực) code, exactly as Query.fields gives it (UNKNOWN_CODE); "
        "the Government Office may set it on assignment.",
    )
    province_code: str | None = strawberry.field(
        default=None,
        description="The two-digit code of the province it concerns (UNKNOWN_CODE).",
    )
    is_private: bool = strawberry.field(
        default=False,
        description="True to keep the title and body from the public (they show only to the "
        "petitioner, the assigned agency and the Government Office); the metadata stays "
        "public.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Any string of 1 to 100 characters (INVALID_LENGTH) that names this "
        "submission: retrying with the same key and input returns the same petition and "
        "secret; the same key with other input is refused with IDEMPOTENCY_KEY_REUSED.",
    )


@strawberry.input(description="Accept a SUBMITTED petition and assign it to an agency.")
class AssignPetitionInput:
    petition_id: strawberry.ID = _petition_id()
    agency_code: str = strawberry.field(
        description="The agency that must answer, e.g. BTC; any letter case (UNKNOWN_CODE)."
    )
    expected_version: int = _expected_version()
    field_code: str | None = strawberry.field(
        default=None,
        description="Classify it under this field, any letter case (UNKNOWN_CODE); null keeps "
        "the field it has.",
    )
    note: str | None = _optional_public_note()


@strawberry.input(description="Refuse a SUBMITTED petition.")
class RejectPetitionInput:
    petition_id: strawberry.ID = _petition_id()
    reason: RejectionReason = strawberry.field(description="Why it is refused.")
    expected_version: int = _expected_version()
    note: str | None = _optional_public_note()
    duplicate_of: str | None = strawberry.field(
        default=None,
        description="For DUPLICATE (and then required): the tracking code of the other "
        "petition, any letter case (UNKNOWN_PETITION when there is none); ignored otherwise.",
    )


@strawberry.input(description="Route a petition to another agency.")
class TransferPetitionInput:
    petition_id: strawberry.ID = _petition_id()
    agency_code: str = strawberry.field(
        description="The new agency, e.g. UBND-79; any letter case (UNKNOWN_CODE; the current "
        "agency: SAME_AGENCY)."
    )
    expected_version: int = _expected_version()
    note: str | None = _optional_public_note()


@strawberry.input(description="Escalate a petition to the Government / Prime Minister.")
class EscalatePetitionInput:
    petition_id: strawberry.ID = _petition_id()
    reason: EscalationReason = strawberry.field(description="Why it is escalated.")
    expected_version: int = _expected_version()
    note: str | None = _optional_public_note()


@strawberry.input(description="Hold a petition up as useful.")
class FeaturePetitionInput:
    petition_id: strawberry.ID = _petition_id()
    note: str = strawberry.field(
        description="Why the petition is useful; shown publicly (Petition.featuredNote). "
        "Required (REQUIRED when blank), at most 5,000 characters (TOO_LONG)."
    )
    expected_version: int = _expected_version()


@strawberry.input(description="An action on a petition that takes nothing else.")
class PetitionActionInput:
    petition_id: strawberry.ID = _petition_id()
    expected_version: int = _expected_version()


@strawberry.input(description="An action on a petition that takes a note.")
class PetitionNoteInput:
    petition_id: strawberry.ID = _petition_id()
    note: str = strawberry.field(
        description="The note: required (REQUIRED when blank), at most 5,000 characters (TOO_LONG)."
    )
    expected_version: int = _expected_version()


@strawberry.input(description="The official answer to a petition.")
class AnswerPetitionInput:
    petition_id: strawberry.ID = _petition_id()
    body: str = strawberry.field(
        description="The answer's text, 30 to 10,000 characters after trimming "
        "(INVALID_LENGTH); published and signed as given, trimmed."
    )
    expected_version: int = _expected_version()


@strawberry.input(description="The petitioner's score of the answer.")
class RateAnswerInput:
    tracking_code: str = _tracking_code()
    secret: str = _secret()
    score: int = strawberry.field(
        description="From 1 (worst) to 5 (best), a whole number (INVALID_SCORE)."
    )
    comment: str | None = strawberry.field(
        default=None,
        description="A public comment (Rating.comment), at most 5,000 characters (TOO_LONG).",
    )
    expected_version: int | None = _optional_expected_version()


@strawberry.input(description="The petitioner's follow-up: the answer did not resolve it.")
class FollowUpInput:
    tracking_code: str = _tracking_code()
    secret: str = _secret()
    body: str = strawberry.field(
        description="What is still unresolved: required (REQUIRED when blank), at most 5,000 "
        "characters (TOO_LONG). Public, unless the petition is private."
    )
    expected_version: int | None = _optional_expected_version()


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
        return await _officer(info, input.petition_id, change)

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
