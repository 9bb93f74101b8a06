"""The root Query type: the public read side of the record."""

from __future__ import annotations

import strawberry

from app.reference import provinces as reference_provinces
from resolvers import agencies as agency_resolvers
from resolvers.nodes import node_by_id
from resolvers.petitions import (
    petition_by_tracking_code,
    petition_connection,
    petition_for_petitioner,
)
from schema.enums import AgencyKind, OrderDirection, PetitionOrderField
from schema.inputs import PetitionFilter, PetitionOrder
from schema.relay import Connection, Node
from schema.types import Agency, Field, GraphInfo, Petition


@strawberry.type(description="A provincial-level unit (one of the 34 since 1 July 2025).")
class Province:
    code: str
    name: str


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id; null when there is none.")
    async def node(self, info: GraphInfo, id: strawberry.ID) -> Node | None:
        return await node_by_id(info.context, id)  # type: ignore[no-any-return]

    @strawberry.field(description="Agencies in a stable order: ministries, then provinces.")
    async def agencies(
        self,
        info: GraphInfo,
        first: int | None = None,
        after: str | None = None,
        kind: AgencyKind | None = None,
        search: str | None = None,
    ) -> Connection[Agency]:
        return await agency_resolvers.agency_connection(  # type: ignore[return-value]
            info.context, first, after, kind.value if kind else None, search
        )

    @strawberry.field
    async def agency(self, info: GraphInfo, code: str) -> Agency | None:
        return await agency_resolvers.agency_by_code(info.context, code)  # type: ignore[return-value]

    @strawberry.field
    async def fields(self, info: GraphInfo) -> list[Field]:
        return await agency_resolvers.fields(info.context)  # type: ignore[return-value]

    @strawberry.field(description="The 34 provincial-level units, by code.")
    def provinces(self) -> list[Province]:
        return [Province(code=p.code, name=p.name) for p in reference_provinces()]

    @strawberry.field(description="The public petition list; newest submitted first by default.")
    async def petitions(
        self,
        info: GraphInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: PetitionFilter | None = None,
        order_by: PetitionOrder | None = None,
    ) -> Connection[Petition]:
        order_field = order_by.field if order_by else PetitionOrderField.SUBMITTED_AT
        direction = order_by.direction if order_by else OrderDirection.DESC
        return await petition_connection(  # type: ignore[return-value]
            info.context,
            info.selected_fields[0],
            first=first,
            after=after,
            last=last,
            before=before,
            filter_args=filter.to_args() if filter else None,
            order_field=order_field.value,
            ascending=direction is OrderDirection.ASC,
        )

    @strawberry.field(
        description="The petitioner's own view of a petition, private text and contact data "
        "included; null when the tracking code and secret do not match."
    )
    async def petition_for_petitioner(
        self, info: GraphInfo, tracking_code: str, secret: str
    ) -> Petition | None:
        return await petition_for_petitioner(info.context, tracking_code, secret)  # type: ignore[return-value]

    @strawberry.field(description="A petition by its public tracking code.")
    async def petition(self, info: GraphInfo, tracking_code: str) -> Petition | None:
        return await petition_by_tracking_code(  # type: ignore[return-value]
            info.context, tracking_code, info.selected_fields[0]
        )
