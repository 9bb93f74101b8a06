"""The public object types.

Each type reads a database row (from `db.models`) as its source: plain columns resolve as
attributes, relations come from the row when the page's statement already joined them and
from the request's dataloaders otherwise. Only what the public may see is declared here;
the petitioner's contact data has no field on any of these types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from app.domain.log_entry import log_index
from app.domain.visibility import shown_text
from app.domain.vocabulary import OPEN_STATUSES, is_overdue
from app.domain.working_days import elapsed_working_days, working_days_left
from db import models
from resolvers import log as log_resolvers
from resolvers.attachments import download_url, petition_attachments
from resolvers.attachments import filename as attachment_filename
from resolvers.history import event_connection, event_cursor
from resolvers.private_text import remember, text_for
from resolvers.similar import petition_similar
from schema.descriptions import PETITION_SUBJECT
from schema.enums import Channel, IntakeChannel, PetitionKind, PetitionStatus, PetitionSubject
from schema.info import GraphInfo, loaded, node_id
from schema.reference_types import AgencyType, FieldType
from schema.relay import ConnectionType, Node


@strawberry.type(
    description="The petitioner's personal data, as submitted and cleaned. Never public: only "
    "the petitioner (Query.petitionForPetitioner, or submitPetition's payload), the assigned "
    "agency's officers and the Government Office (COORDINATOR) see it."
)
class Petitioner:
    full_name: str = strawberry.field(description="The petitioner's full name.")
    email: str | None = strawberry.field(
        description="E-mail address, domain in lower case; null when not given (then `phone` "
        "is set)."
    )
    phone: str | None = strawberry.field(
        description="Vietnamese phone number as stored: 0 and 9 digits (a landline may have "
        "one more), no separators; null when not given (then `email` is set)."
    )
    address: str | None = strawberry.field(description="Postal address; null when not given.")
    organization_name: str | None = strawberry.field(
        description="The organisation the petitioner speaks for; set for every BUSINESS "
        "petition, null when not given."
    )
    tax_code: str | None = strawberry.field(
        description="The organisation's tax code, 10 or 13 digits without a dash; set for "
        "every BUSINESS petition, null when not given."
    )


@strawberry.type(
    name="Rating",
    description="The petitioner's score of the answer they received (rateAnswer), which "
    "closed the petition. Public, except a private petition's comment.",
)
class RatingType:
    score: int = strawberry.field(description="From 1 (worst) to 5 (best).")

    @strawberry.field(
        description="The petitioner's comment; null when they left none, and when the "
        "petition is private and the reader is not the petitioner, the assigned agency's "
        "officers or the Government Office."
    )
    def comment(self, info: GraphInfo) -> str | None:
        return text_for(info.context, self.petition_id, self.comment)  # type: ignore[attr-defined,return-value]

    rated_at: datetime = strawberry.field(description="When the petitioner rated the answer.")


@strawberry.type(
    name="Answer",
    description="An agency's official answer to a petition, sealed with the agency's key. "
    "Public, except a private petition's body: its seal (signature, keyId, sealVersion, "
    "bodySha256) stays public, so anyone can verify it with the text withheld.",
)
class AnswerType(Node):
    id: strawberry.ID = node_id("Answer")

    @strawberry.field(
        description="The answer's text, exactly as sealed: 30 to 10,000 characters. Null when "
        "the petition is private and the reader is not the petitioner, the assigned agency's "
        "officers or the Government Office (bodySha256 and the seal stay public)."
    )
    def body(self, info: GraphInfo) -> str | None:
        return text_for(info.context, self.petition_id, self.body)  # type: ignore[attr-defined,return-value]

    answered_at: datetime = strawberry.field(
        description="When the answer was published, in whole seconds (the signed time)."
    )
    seal_version: int = strawberry.field(
        description="The canonical form the signature covers: 2 for every answer sealed now "
        "(the body's SHA-256 is signed), 1 for answers sealed before (the body itself)."
    )
    body_sha256: str = strawberry.field(
        description="Lower-case hex SHA-256 of the body's UTF-8 bytes in Unicode NFC; public "
        "even when the body is withheld."
    )
    signature: str = strawberry.field(
        description="Standard, padded base64 of the 64-byte Ed25519 signature over the UTF-8 "
        "bytes of these lines joined by line feeds: for sealVersion 2, pakn-answer-v2, the "
        "tracking code, the agency code, answeredAt in UTC (YYYY-MM-DDTHH:MM:SSZ), bodySha256 "
        "and the attachments' SHA-256s (sorted, comma-separated; empty when none); for "
        "sealVersion 1, pakn-answer-v1, the tracking code, the agency code, answeredAt in UTC "
        "and the body (see the README)."
    )
    key_id: str = strawberry.field(
        description="The agency key that sealed it: one of the answering agency's "
        "Agency.publicKeys."
    )

    @strawberry.field(
        description="The answering agency: the assigned agency, or the Government Office "
        "(VPCP) for an answer to an escalated petition."
    )
    def agency(self, info: GraphInfo) -> AgencyType:
        if loaded(self, "agency"):
            return self.agency  # type: ignore[attr-defined,no-any-return]
        return info.context.loaders.agency.load(self.agency_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(
        description="The agency's documents, public, in the order sent: their SHA-256s, "
        "sorted and joined by commas, are the last line of the sealed message (version 2)."
    )
    def attachments(self, info: GraphInfo) -> list[AttachmentType]:
        return info.context.loaders.answer_attachments.load(self.id)  # type: ignore[attr-defined,return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.Answer)


def _log_salt(which: str, description: str) -> Any:
    """A PetitionEvent field giving one salt of its log leaf (`resolvers.log.text_salt`)."""

    async def resolve(root: models.PetitionEvent, info: GraphInfo) -> str | None:
        return await log_resolvers.text_salt(info.context, root, which)

    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(
    name="PetitionEvent",
    description="One change in a petition's history, written in the same transaction as the "
    "change; ids and cursors increase in commit order. Public, except internal events (a "
    "transfer request, a private petition's follow-up), which only the Government Office "
    "(COORDINATOR) and the assigned agency's officers see.",
)
class PetitionEventType(Node):
    id: strawberry.ID = node_id("PetitionEvent")
    action: str = strawberry.field(
        description="What happened, one of SUBMIT, ASSIGN, REJECT, ACKNOWLEDGE, "
        "REQUEST_TRANSFER, TRANSFER, PROGRESS_UPDATE, ANSWER, RATE, FOLLOW_UP, ESCALATE, "
        "FEATURE (the mutation of the same name, or the automatic escalation), URGE (the "
        "Government Office urges the handling agency, urgePetition, or SYSTEM after "
        "PAKN_AUTO_URGE_DAYS working days overdue; the note is the message to the agency; "
        "the status and the version unchanged), OVERDUE (SYSTEM: the deadline passed with "
        "neither an answer nor a progress update; `at` is that deadline, written once per "
        "deadline; the status and the version unchanged), "
        "CONTACT_ERASED (the petitioner's contact data was erased: erasePetitionerData, or "
        "the retention period, PAKN_CONTACT_RETENTION_DAYS; no note, the status unchanged), "
        "SECRET_REISSUED (an officer gave the petitioner a new secret, "
        "reissuePetitionerSecret; no note, the status and the version unchanged)."
    )
    from_status: PetitionStatus | None = strawberry.field(
        description="The status before the change; null for SUBMIT, which creates the petition."
    )
    to_status: PetitionStatus = strawberry.field(
        description="The status after the change; it may equal fromStatus (PROGRESS_UPDATE, "
        "FEATURE, URGE, OVERDUE, a TRANSFER of an ASSIGNED petition)."
    )
    at: datetime = strawberry.field(description="When the change was made.")
    actor_role: str = strawberry.field(
        description="Who made it: PETITIONER, COORDINATOR, AGENCY_OFFICER, or SYSTEM for an "
        "automatic escalation after repeated follow-ups, an erasure after the retention "
        "period, OVERDUE (always) and an automatic URGE. Never a person's name."
    )

    @strawberry.field(
        description="The text given with the change: the officer's note, the progress "
        "update, the follow-up, the reason for featuring, the urge's message to the agency. "
        "Null when none was given, when the petition is private and the reader is not the "
        "petitioner, the assigned agency's officers or the Government Office, and for ANSWER "
        "and RATE, whose text is in Answer and Rating."
    )
    def note(self, info: GraphInfo) -> str | None:
        if loaded(self, "petition"):
            remember(info.context, self.petition)  # type: ignore[attr-defined]
        return text_for(info.context, self.petition_id, self.note)  # type: ignore[attr-defined,return-value]

    @strawberry.field(
        description="Opaque cursor of this event: pass it as `after` to Petition.events or "
        "Subscription.petitionEvents to resume after it."
    )
    def cursor(self) -> str:
        return event_cursor(self)  # type: ignore[arg-type]

    @strawberry.field(
        description="The event's leaf in the transparency log (Query.inclusionProof, "
        "Query.logEntry): leaves are the events in order, from 0."
    )
    def log_index(self) -> int:
        return log_index(self.id)  # type: ignore[attr-defined]

    note_salt: str | None = _log_salt(
        "note",
        "The salt of the commitment to `note` in the event's log entry, base64 (SHA-256 of "
        "'pakn-text/v1\\n', the salt and the note's UTF-8): whoever is shown the note checks "
        "it against the leaf. Null when there is no note or it is not shown.",
    )
    title_salt: str | None = _log_salt(
        "title",
        "For SUBMIT: the salt of the commitment to the petition's title in the log entry, "
        "base64; null for other events and when the title is not shown.",
    )
    body_salt: str | None = _log_salt(
        "body",
        "For SUBMIT: the salt of the commitment to the petition's body, base64; null for other "
        "events and when the body is not shown.",
    )
    blinding_salt: str | None = _log_salt(
        "blinding",
        "For an internal event (its agency's officers and the Government Office see it): the "
        "salt its blinded log leaf commits to the whole entry with, base64 (SHA-256 of "
        "'pakn-entry/v1\\n', the salt and the entry); null for a public event.",
    )

    @strawberry.field(description="The petition that changed.")
    def petition(self, info: GraphInfo) -> PetitionType:
        if loaded(self, "petition"):
            return self.petition  # type: ignore[attr-defined,no-any-return]
        return info.context.loaders.petition.load(self.petition_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(
        description="The agency the change concerns: the new agency for ASSIGN and TRANSFER, "
        "the answering agency for ANSWER, otherwise the agency the petition was with; null "
        "while it was with none (SUBMIT, REJECT)."
    )
    def agency(self, info: GraphInfo) -> AgencyType | None:
        if loaded(self, "agency"):
            return self.agency  # type: ignore[attr-defined,no-any-return]
        agency_id = self.agency_id  # type: ignore[attr-defined]
        return None if agency_id is None else info.context.loaders.agency.load(agency_id)  # type: ignore[return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.PetitionEvent)


def _public_text(attribute: str, description: str) -> Any:
    def resolve(root: models.Petition, info: GraphInfo) -> Any:
        if not root.is_private:
            return getattr(root, attribute)
        return _private_text(root, attribute, info)

    return strawberry.field(resolver=resolve, description=description)


async def _private_text(root: models.Petition, attribute: str, info: GraphInfo) -> str | None:
    reads = await info.context.may_see_private(root.id, root.agency_id)
    return shown_text(getattr(root, attribute), root.is_private, reads)


SimilarFirst = Annotated[
    int | None,
    strawberry.argument(
        description="At most this many, 1 to 20 (5 when null); otherwise PAGE_SIZE_OUT_OF_RANGE."
    ),
]
"""The `first` of Petition.similar and Query.similarPetitions."""


@strawberry.type(
    name="Attachment",
    description="A file attached to a petition: its petitioner's evidence, private unless "
    "published (the public sees only the published ones; the petitioner, the assigned "
    "agency's officers and the Government Office see them all), or to an answer: the "
    "agency's documents, public but on a private petition (listed to all for the seal, "
    "named and downloadable only by those readers). Its type was read from its "
    "bytes; a picture was re-encoded without its metadata (GPS position, camera serial).",
)
class AttachmentType(Node):
    id: strawberry.ID = node_id("Attachment")
    sha256: str = strawberry.field(
        description="Lower-case hex SHA-256 of the file as stored (a picture's after its "
        "re-encoding): what GET /files/<sha256> serves."
    )

    @strawberry.field(
        description="The sender's file name, without a path or control characters, ending "
        "in its real type's extension; at most 200 characters. Null for a reader who may "
        "not open it (an answer's document on a private petition)."
    )
    async def filename(self, info: GraphInfo) -> str | None:
        return await attachment_filename(info.context, self)  # type: ignore[arg-type]

    media_type: str = strawberry.field(description="Its type, read from its bytes.")
    size: int = strawberry.field(description="Bytes.")
    is_public: bool = strawberry.field(description="True when published.")

    @strawberry.field(
        description="Where to download it, relative to this API's origin: /files/<sha256>, "
        "with a grant good for 10 minutes when it is private (the response is then never "
        "cached). Null for a reader who may not open it."
    )
    async def url(self, info: GraphInfo) -> str | None:
        return await download_url(info.context, self)  # type: ignore[arg-type]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.Attachment)


@strawberry.type(
    name="Petition",
    description="A petition (phản ánh, kiến nghị) as the public record shows it. Public, "
    "except `petitioner` and, for a private petition, its free text (`title`, `body`, "
    "`featuredNote`, its answers' bodies, its events' notes, its rating's comment), which "
    "resolve only for the petitioner (with their secret), the assigned agency's officers and "
    "the Government Office (COORDINATOR).",
)
class PetitionType(Node):
    id: strawberry.ID = node_id("Petition")
    tracking_code: str = strawberry.field(
        description="Public handle: PAKN, the year of submission and a number of at least six "
        "digits, e.g. PAKN-2026-000123. Queries take it in any letter case."
    )
    channel: Channel = strawberry.field(description="Who submitted it: a citizen or a business.")
    kind: PetitionKind = strawberry.field(
        description="A report (phản ánh) or a proposal (kiến nghị)."
    )
    subject: PetitionSubject = strawberry.field(description=PETITION_SUBJECT)
    title: str | None = _public_text(
        "title",
        "The title. Null when the petitioner kept the text private and the reader is not the "
        "petitioner, the assigned agency's officers or the Government Office.",
    )
    body: str | None = _public_text(
        "body",
        "The text, its line breaks kept. Null when the petitioner kept the text private and the "
        "reader is not the petitioner, the assigned agency's officers or the Government Office.",
    )
    intake_channel: IntakeChannel = strawberry.field(
        description="How it reached the system: ONLINE, or how the officer who entered it "
        "received it (recordPetition)."
    )
    is_private: bool = strawberry.field(
        description="True when the petitioner kept the text private: the public then sees "
        "only the metadata (no title, body, answer text, notes or rating comment), and search "
        "never finds it by its text."
    )
    province_code: str | None = strawberry.field(
        description="The two-digit code of the province it concerns (see Query.provinces); null "
        "when the petitioner named none."
    )
    status: PetitionStatus = strawberry.field(description="Where it stands in its workflow.")
    submitted_at: datetime = strawberry.field(description="When it was submitted.")
    accepted_at: datetime | None = strawberry.field(
        description="When the Government Office accepted it and first assigned it to an agency "
        "(a transfer does not change it); null before that, and for a rejected petition."
    )
    deadline_at: datetime | None = strawberry.field(
        description="When an answer or a progress update is due: the end (23:59:59, "
        "Asia/Ho_Chi_Minh) of the 20th working day (PAKN_RESPONSE_WORKING_DAYS) on Vietnam's "
        "calendar after the clock last started. Assignment, a transfer, a progress update, an "
        "escalation and a follow-up restart the clock. Null before assignment; kept once "
        "answered."
    )
    answered_at: datetime | None = strawberry.field(
        description="When the first answer came; null until then. Later answers (after "
        "follow-ups) do not change it."
    )
    response_working_days: int | None = strawberry.field(
        description="Working days from acceptance to the first answer, counting the day of the "
        "answer but not the day of acceptance; null until answered."
    )
    answered_on_time: bool | None = strawberry.field(
        description="Whether the first answer came by the deadlineAt that applied then; null "
        "until answered."
    )
    follow_up_count: int = strawberry.field(
        description="How many times the petitioner followed up an answer (followUpPetition)."
    )
    escalated_at: datetime | None = strawberry.field(
        description="When the petition was first escalated to the Government (kept after a "
        "transfer back); null if it never was."
    )
    featured_at: datetime | None = strawberry.field(
        description="When the Government Office last featured it as useful (featurePetition); "
        "null if it never did."
    )
    featured_note: str | None = _public_text(
        "featured_note",
        "Why it was featured; null if it never was, and, like the events' notes, when the "
        "petition is private and the reader is not the petitioner, the assigned agency's "
        "officers or the Government Office.",
    )
    urge_count: int = strawberry.field(
        description="How many times the Government Office urged the handling agency "
        "(urgePetition, or SYSTEM automatically): the URGE events. StatsRow.urged counts the "
        "petitions where it is above 0."
    )
    overdue_count: int = strawberry.field(
        description="How many of its deadlines passed with neither an answer nor a progress "
        "update: the OVERDUE events. StatsRow.overdueEver counts the petitions where it is "
        "above 0."
    )
    version: int = strawberry.field(
        description="Starts at 1 and grows with every event written but CONTACT_ERASED, "
        "SECRET_REISSUED, URGE "
        "and OVERDUE; "
        "pass it as `expectedVersion` when changing the petition (a stale one is refused "
        "with STALE_VERSION)."
    )
    contact_erased_at: datetime | None = strawberry.field(
        description="When the petitioner's contact data was erased (erasePetitionerData, or "
        "PAKN_CONTACT_RETENTION_DAYS after the last event of a settled petition); from then "
        "on `petitioner` is null for everyone. Null while it is kept. Public."
    )

    @strawberry.field(
        description="Working days (Vietnam's calendar) from the day the clock last started "
        "(see deadlineAt) to today, or, while the status is ANSWERED, to the day of the first "
        "answer. Null before assignment."
    )
    def working_days_elapsed(self, info: GraphInfo) -> int | None:
        started = self.clock_started_at  # type: ignore[attr-defined]
        if started is None:
            return None
        end = (
            self.answered_at if self.status == "ANSWERED" and self.answered_at else info.context.now
        )
        return elapsed_working_days(started, end)

    @strawberry.field(
        description="Working days (Vietnam's calendar) after today up to the day of "
        "deadlineAt, while the petition is open (ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED or "
        "ESCALATED): PAKN_RESPONSE_WORKING_DAYS (20) on the day the clock starts, 0 on the "
        "deadline's day and once it has passed (see isOverdue). Null when no deadline "
        "runs: before assignment, and once answered, closed or rejected."
    )
    def working_days_left(self, info: GraphInfo) -> int | None:
        if self.status not in OPEN_STATUSES or self.deadline_at is None:
            return None
        return working_days_left(self.deadline_at, info.context.now)

    @strawberry.field(
        description="The petitioner's personal data. Null for everyone but the petitioner "
        "(with their secret), the assigned agency's officers and the Government Office "
        "(COORDINATOR); null for them too once it is erased (see contactErasedAt)."
    )
    async def petitioner(self, info: GraphInfo) -> Petitioner | None:
        if not await info.context.may_see_private(self.id, self.agency_id):  # type: ignore[arg-type,attr-defined]
            return None
        return await info.context.loaders.contact.load(self.id)  # type: ignore[arg-type,no-any-return]

    @strawberry.field(
        description="True when the petition is open (ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED "
        "or ESCALATED) and deadlineAt has passed, as of the moment of the request."
    )
    def is_overdue(self, info: GraphInfo) -> bool:
        return is_overdue(self.status, self.deadline_at, info.context.now)

    @strawberry.field(
        description="The agency that must answer now; null before assignment and for a "
        "rejected petition."
    )
    def agency(self, info: GraphInfo) -> AgencyType | None:
        if loaded(self, "agency"):
            return self.agency  # type: ignore[attr-defined,no-any-return]
        agency_id = self.agency_id  # type: ignore[attr-defined]
        return None if agency_id is None else info.context.loaders.agency.load(agency_id)  # type: ignore[return-value]

    @strawberry.field(
        description="The field (lĩnh vực) it is filed under, given by the petitioner or set by "
        "the Government Office on assignment; null while unclassified."
    )
    def field(self, info: GraphInfo) -> FieldType | None:
        if loaded(self, "field"):
            return self.field  # type: ignore[attr-defined,no-any-return]
        field_id = self.field_id  # type: ignore[attr-defined]
        return None if field_id is None else info.context.loaders.field.load(field_id)  # type: ignore[return-value]

    @strawberry.field(description="The petitioner's rating of the answer; null until rated.")
    def rating(self, info: GraphInfo) -> RatingType | None:
        remember(info.context, self)  # type: ignore[arg-type]
        if loaded(self, "rating"):
            return self.rating  # type: ignore[attr-defined,no-any-return]
        return info.context.loaders.rating.load(self.id)  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="Every answer, oldest first (more than one after follow-ups); empty until "
        "answered."
    )
    def answers(self, info: GraphInfo) -> list[AnswerType]:
        remember(info.context, self)  # type: ignore[arg-type]
        return info.context.loaders.answers.load(self.id)  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="The files its petitioner attached, in the order sent: the published ones "
        "for the public, all of them for the petitioner, the assigned agency's officers and "
        "the Government Office."
    )
    async def attachments(self, info: GraphInfo) -> list[AttachmentType]:
        return await petition_attachments(info.context, self)  # type: ignore[arg-type,return-value]

    @strawberry.field(description="The most recent answer; null until answered.")
    async def latest_answer(self, info: GraphInfo) -> AnswerType | None:
        remember(info.context, self)  # type: ignore[arg-type]
        answers = await info.context.loaders.answers.load(self.id)  # type: ignore[arg-type]
        return answers[-1] if answers else None  # type: ignore[return-value]

    @strawberry.field(
        description="The most recent public event (internal events are left out, whoever asks)."
    )
    def latest_event(self, info: GraphInfo) -> PetitionEventType | None:
        remember(info.context, self)  # type: ignore[arg-type]
        return info.context.loaders.latest_event.load(self.id)  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="The history, oldest first: public events for everyone; the Government "
        "Office and the assigned agency's officers also see internal ones."
    )
    async def events(
        self,
        info: GraphInfo,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="Page size, 1 to 100 (default 100); otherwise PAGE_SIZE_OUT_OF_RANGE."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Start after this event's cursor (PetitionEvent.cursor or an "
                "edge's cursor); INVALID_CURSOR when it is not one."
            ),
        ] = None,
    ) -> ConnectionType[PetitionEventType]:
        remember(info.context, self)  # type: ignore[arg-type]
        return await event_connection(info.context, self, first, after)  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="The public petitions most like this one by text, best first, itself "
        "left out: as Query.similarPetitions ranks them for this title and body, those of "
        "its field preferred (for finding the petition a DUPLICATE repeats, or an answer to "
        "reuse). Empty for a private petition unless the reader may read its text."
    )
    async def similar(
        self,
        info: GraphInfo,
        first: SimilarFirst = 5,
    ) -> list[PetitionType]:
        return await petition_similar(info.context, self, first)  # type: ignore[arg-type,return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.Petition)
