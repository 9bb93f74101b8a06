"""The public object types.

Each type reads a database row (from `db.models`) as its source: plain columns resolve as
attributes, relations come from the row when the page's statement already joined them and
from the request's dataloaders otherwise. Only what the public may see is declared here;
the petitioner's contact data has no field on any of these types.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from app.calendar import elapsed_working_days
from app.domain import OPEN_STATUSES
from db import models
from resolvers.context import Context
from resolvers.history import event_connection, event_cursor
from resolvers.ids import global_id
from resolvers.petitions import agency_petition_connection
from resolvers.stats import scorecard
from schema.enums import AgencyKind, Channel, PetitionKind, PetitionStatus, PetitionSubject
from schema.inputs import PetitionFilter
from schema.relay import Connection, Node
from schema.stats import StatsRow

GraphInfo = Info[Context, None]


def _loaded(row: Any, relation: str) -> bool:
    """Whether `relation` was loaded with `row` (so reading it costs no query)."""
    return relation in row.__dict__


def _node_id(type_name: str) -> Any:
    def resolve(root: Any) -> strawberry.ID:
        return strawberry.ID(global_id(type_name, root.id))

    return strawberry.field(resolver=resolve, description="The opaque global id.")


@strawberry.type(
    description="A ministry, ministerial-level agency or provincial People's Committee."
)
class Agency(Node):
    id: strawberry.ID = _node_id("Agency")
    code: str = strawberry.field(description="Stable short code, e.g. BTC or UBND-01.")
    name: str = strawberry.field(description="Official Vietnamese name.")
    name_en: str | None
    kind: AgencyKind
    province_code: str | None

    @strawberry.field(description="Petitions currently assigned to this agency, newest first.")
    async def petitions(
        self,
        info: GraphInfo,
        first: int | None = None,
        after: str | None = None,
        filter: PetitionFilter | None = None,
    ) -> Connection[Petition]:
        return await agency_petition_connection(  # type: ignore[return-value]
            info.context,
            info.selected_fields[0],
            self.id,  # type: ignore[attr-defined]
            first=first,
            after=after,
            filter_args=filter.to_args() if filter else None,
        )

    @strawberry.field(
        description="The agency's figures over the petitions it currently handles that were "
        "submitted between the local dates `from` and `to` (inclusive; open ends for all time)."
    )
    async def scorecard(
        self,
        info: GraphInfo,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> StatsRow:
        return await scorecard(info.context, self.id, from_, to)  # type: ignore[arg-type,return-value]

    @strawberry.field(description="Sealing keys, newest first; retired keys still verify.")
    async def public_keys(self, info: GraphInfo) -> list[PublicKey]:
        return await info.context.loaders.keys.load(self.id)  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.Agency)


@strawberry.type(description="A provincial-level unit (one of the 34 since 1 July 2025).")
class Province:
    code: str
    name: str


@strawberry.type(description="An Ed25519 public key with which an agency seals answers.")
class PublicKey:
    key_id: str
    public_key: str = strawberry.field(description="Base64 of the 32 raw key bytes.")
    created_at: datetime
    retired_at: datetime | None

    @strawberry.field
    def algorithm(self) -> str:
        return "Ed25519"


@strawberry.type(
    description="Contact data: only for the petitioner and the officers handling the petition."
)
class Petitioner:
    full_name: str
    email: str | None
    phone: str | None
    address: str | None
    organization_name: str | None
    tax_code: str | None


@strawberry.type(description="A subject area (lĩnh vực) petitions are filed under.")
class Field:
    code: str
    name: str
    name_en: str | None


@strawberry.type(description="The petitioner's score of the answer they received.")
class Rating:
    score: int
    comment: str | None
    rated_at: datetime


@strawberry.type(description="An agency's official answer to a petition.")
class Answer(Node):
    id: strawberry.ID = _node_id("Answer")
    body: str
    answered_at: datetime
    signature: str = strawberry.field(
        description="Base64 Ed25519 signature over the canonical form (see the README)."
    )
    key_id: str = strawberry.field(description="The agency key that sealed it: Agency.publicKeys.")

    @strawberry.field
    def agency(self, info: GraphInfo) -> Agency:
        if _loaded(self, "agency"):
            return self.agency  # type: ignore[attr-defined,no-any-return]
        return info.context.loaders.agency.load(self.agency_id)  # type: ignore[attr-defined,return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.Answer)


@strawberry.type(description="One change in a petition's public history.")
class PetitionEvent(Node):
    id: strawberry.ID = _node_id("PetitionEvent")
    action: str = strawberry.field(description="What happened: SUBMIT, ASSIGN, ANSWER, ...")
    from_status: PetitionStatus | None
    to_status: PetitionStatus
    at: datetime
    actor_role: str = strawberry.field(description="PETITIONER, COORDINATOR, AGENCY_OFFICER…")
    note: str | None

    @strawberry.field(description="Resume a feed or a history after this event.")
    def cursor(self) -> str:
        return event_cursor(self)  # type: ignore[arg-type]

    @strawberry.field
    def petition(self, info: GraphInfo) -> Petition:
        if _loaded(self, "petition"):
            return self.petition  # type: ignore[attr-defined,no-any-return]
        return info.context.loaders.petition.load(self.petition_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    def agency(self, info: GraphInfo) -> Agency | None:
        if _loaded(self, "agency"):
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
    if await info.context.may_see_private(root.id, root.agency_id):
        return getattr(root, attribute)  # type: ignore[no-any-return]
    return None


@strawberry.type(description="A petition (phản ánh, kiến nghị) as the public record shows it.")
class Petition(Node):
    id: strawberry.ID = _node_id("Petition")
    tracking_code: str = strawberry.field(description="Public handle, e.g. PAKN-2026-000123.")
    channel: Channel
    kind: PetitionKind
    subject: PetitionSubject
    title: str | None = _public_text("title", "Null when the petitioner kept the text private.")
    body: str | None = _public_text("body", "Null when the petitioner kept the text private.")
    is_private: bool
    province_code: str | None
    status: PetitionStatus
    submitted_at: datetime
    accepted_at: datetime | None
    deadline_at: datetime | None = strawberry.field(
        description="End of the 20th working day after acceptance or the latest progress update."
    )
    answered_at: datetime | None = strawberry.field(description="When the first answer came.")
    response_working_days: int | None = strawberry.field(
        description="Working days from acceptance to the first answer."
    )
    answered_on_time: bool | None = strawberry.field(
        description="Whether the first answer came by the deadline that applied then."
    )
    follow_up_count: int
    escalated_at: datetime | None = strawberry.field(
        description="When the petition was first escalated to the Government (kept after a "
        "transfer back); null if it never was."
    )
    featured_at: datetime | None = strawberry.field(
        description="When the Government Office featured it as useful (featurePetition)."
    )
    featured_note: str | None = strawberry.field(description="Why it was featured.")
    version: int = strawberry.field(description="Pass it as expectedVersion when changing it.")

    @strawberry.field(
        description="Working days since the clock last started (acceptance or update)."
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
        description="For the petitioner, the assigned agency and the Government Office only."
    )
    async def petitioner(self, info: GraphInfo) -> Petitioner | None:
        if not await info.context.may_see_private(self.id, self.agency_id):  # type: ignore[arg-type,attr-defined]
            return None
        return await info.context.loaders.contact.load(self.id)  # type: ignore[arg-type,no-any-return]

    @strawberry.field(description="Open, and past its deadline with no answer or update.")
    def is_overdue(self, info: GraphInfo) -> bool:
        deadline = self.deadline_at
        return self.status in OPEN_STATUSES and deadline is not None and deadline < info.context.now

    @strawberry.field
    def agency(self, info: GraphInfo) -> Agency | None:
        if _loaded(self, "agency"):
            return self.agency  # type: ignore[attr-defined,no-any-return]
        agency_id = self.agency_id  # type: ignore[attr-defined]
        return None if agency_id is None else info.context.loaders.agency.load(agency_id)  # type: ignore[return-value]

    @strawberry.field
    def field(self, info: GraphInfo) -> Field | None:
        if _loaded(self, "field"):
            return self.field  # type: ignore[attr-defined,no-any-return]
        field_id = self.field_id  # type: ignore[attr-defined]
        return None if field_id is None else info.context.loaders.field.load(field_id)  # type: ignore[return-value]

    @strawberry.field
    def rating(self, info: GraphInfo) -> Rating | None:
        if _loaded(self, "rating"):
            return self.rating  # type: ignore[attr-defined,no-any-return]
        return info.context.loaders.rating.load(self.id)  # type: ignore[arg-type,return-value]

    @strawberry.field(description="Every answer, oldest first (more than one after follow-ups).")
    def answers(self, info: GraphInfo) -> list[Answer]:
        return info.context.loaders.answers.load(self.id)  # type: ignore[arg-type,return-value]

    @strawberry.field(description="The most recent answer, if any.")
    async def latest_answer(self, info: GraphInfo) -> Answer | None:
        answers = await info.context.loaders.answers.load(self.id)  # type: ignore[arg-type]
        return answers[-1] if answers else None  # type: ignore[return-value]

    @strawberry.field(description="The most recent public event.")
    def latest_event(self, info: GraphInfo) -> PetitionEvent | None:
        return info.context.loaders.latest_event.load(self.id)  # type: ignore[arg-type,return-value]

    @strawberry.field(description="The public history, oldest first.")
    async def events(
        self, info: GraphInfo, first: int | None = None, after: str | None = None
    ) -> Connection[PetitionEvent]:
        return await event_connection(info.context, self, first, after)  # type: ignore[arg-type,return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.Petition)
