"""The inputs and payloads of the Mutation type: one input per action, one payload shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from schema.descriptions import PETITION_SUBJECT
from schema.enums import (
    Channel,
    EscalationReason,
    IntakeChannel,
    PetitionKind,
    PetitionSubject,
    RejectionReason,
)
from schema.petition_types import PetitionType

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
    notify_by_email: bool = strawberry.field(
        default=False,
        description="The petitioner consents to e-mails (Vietnamese, with an English line) "
        "when the petition is assigned, updated, answered or goes overdue, each with an "
        "unsubscribe link; needs email (REQUIRED). Sent only where the server has "
        "PAKN_SMTP_URL.",
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
    attachments: list[Upload] | None = strawberry.field(
        default=None,
        description="Files of evidence, sent by the GraphQL multipart request specification "
        "(with an Apollo-Require-Preflight or GraphQL-Preflight header, else "
        "PREFLIGHT_REQUIRED): at most PAKN_MAX_UPLOADS (5; TOO_MANY_FILES), each at most "
        "PAKN_MAX_UPLOAD_BYTES (10 MiB; FILE_TOO_LARGE), PAKN_MAX_UPLOAD_TOTAL together (20 "
        "MiB; UPLOADS_TOO_LARGE, or a 413 by the request's length), of a type in "
        "PAKN_UPLOAD_TYPES read from its bytes (JPEG, PNG, PDF, DOC, DOCX, XLS, XLSX; "
        "UNSUPPORTED_FILE_TYPE), readable as that type (INVALID_FILE, EMPTY_FILE) and "
        "nothing else (SUSPICIOUS_FILE: an archive that unpacks to a hundred times its "
        "size, a file with another appended; IMAGE_TOO_LARGE: over 40 megapixels). "
        "Pictures are re-encoded without their metadata. Private: see Attachment.",
    )
    challenge_solution: str | None = strawberry.field(
        default=None,
        description="The solved bot check (see Query.submitChallenge): required when the "
        "server runs with PAKN_SUBMIT_POW=1 (CHALLENGE_REQUIRED); one that does not hold "
        "is CHALLENGE_INVALID, one older than 10 minutes CHALLENGE_EXPIRED, one used "
        "before CHALLENGE_USED (a retry with the same idempotencyKey needs none). At most "
        "2,000 characters.",
    )


@strawberry.input(
    description="A petition an officer received otherwise than online, entered as the "
    "petitioner gave it: the fields of SubmitPetitionInput (challengeSolution is not "
    "needed), how it came and when."
)
class RecordPetitionInput(SubmitPetitionInput):
    intake_channel: IntakeChannel = strawberry.field(
        description="How it was received: LETTER, PHONE, FAX, EMAIL or IN_PERSON (ONLINE is "
        "refused here with INVALID_INTAKE_CHANNEL: those come through submitPetition)."
    )
    received_at: datetime = strawberry.field(
        description="When it was received, with its offset: the petition's submittedAt (its "
        "place in the statistics). Not in the future, not before 2000 (INVALID_RECEIVED_AT)."
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
    attachments: list[Upload] | None = strawberry.field(
        default=None,
        description="The agency's documents (its signed dispatch, a scan): public, and "
        "covered by the answer's seal (their SHA-256s are signed with its text). Sent and "
        "checked as SubmitPetitionInput.attachments are, with the same codes.",
    )


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


@strawberry.input(
    description="The petitioner publishes one of their attachments, or takes it back."
)
class PublishAttachmentInput:
    tracking_code: str = _tracking_code()
    secret: str = _secret()
    attachment_id: strawberry.ID = strawberry.field(
        description="The Attachment's id (Petition.attachments, as the petitioner sees "
        "them); one of another petition, or an answer's, is NOT_FOUND."
    )
    is_public: bool = strawberry.field(
        default=True, description="True to publish it, false to make it private again."
    )


@strawberry.input(description="A new secret for a petitioner who lost theirs.")
class ReissuePetitionerSecretInput:
    petition_id: strawberry.ID = _petition_id()


@strawberry.input(description="The petitioner's request to erase their contact data.")
class ErasePetitionerDataInput:
    tracking_code: str = _tracking_code()
    secret: str = _secret()
