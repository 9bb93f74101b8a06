"""The reference types: agencies (with their petitions, scorecard and sealing keys),
provinces and fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from db import models
from resolvers.petitions import agency_petition_connection
from resolvers.stats import scorecard
from schema.descriptions import FIRST_SUBMISSION_DATE, LAST_SUBMISSION_DATE
from schema.enums import AgencyKind
from schema.info import GraphInfo, node_id
from schema.inputs import PetitionFilter
from schema.relay import ConnectionType, Node
from schema.stats import StatsRowType

if TYPE_CHECKING:
    from schema.petition_types import PetitionType

PetitionRef = Annotated["PetitionType", strawberry.lazy("schema.petition_types")]

_OFFICIAL_NAME = "Official Vietnamese name."


@strawberry.type(
    name="Agency",
    description="A ministry, ministerial-level agency, the Government Office or a provincial "
    "People's Committee: an agency that answers petitions. Public.",
)
class AgencyType(Node):
    id: strawberry.ID = node_id("Agency")
    code: str = strawberry.field(
        description="Stable short code, e.g. BTC, VPCP or UBND-01; used in filters, URLs and "
        "exports."
    )
    name: str = strawberry.field(description=_OFFICIAL_NAME)
    name_en: str | None = strawberry.field(
        description="English name, e.g. Ministry of Finance; null when none is recorded."
    )
    kind: AgencyKind = strawberry.field(description="What kind of agency it is.")
    province_code: str | None = strawberry.field(
        description="For a People's Committee (kind PROVINCE), its province's two-digit code "
        "(e.g. 01); null for every other kind."
    )

    @strawberry.field(
        description="Petitions currently assigned to this agency (the agency that must answer "
        "now), newest submitted first. Refusals as for Query.petitions."
    )
    async def petitions(
        self,
        info: GraphInfo,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="Page size, 1 to 100 (default 20); otherwise PAGE_SIZE_OUT_OF_RANGE."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Start after this cursor (an edge's `cursor` or "
                "`pageInfo.endCursor` of this list); INVALID_CURSOR when it is not one."
            ),
        ] = None,
        filter: Annotated[
            PetitionFilter | None,
            strawberry.argument(description="Narrows the agency's petitions further."),
        ] = None,
    ) -> ConnectionType[PetitionRef]:
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
        "submitted between the local dates `from` and `to` (inclusive; open ends for all "
        "time). Public. Dates outside the years 2000 to 2199, or `from` after `to`: "
        "INVALID_DATE_RANGE."
    )
    async def scorecard(
        self,
        info: GraphInfo,
        from_: Annotated[
            date | None,
            strawberry.argument(
                name="from",
                description=FIRST_SUBMISSION_DATE,
            ),
        ] = None,
        to: Annotated[
            date | None,
            strawberry.argument(description=LAST_SUBMISSION_DATE),
        ] = None,
    ) -> StatsRowType:
        return await scorecard(info.context, self.id, from_, to)  # type: ignore[arg-type,return-value]

    @strawberry.field(
        description="The agency's sealing keys, newest first: the current one and the retired "
        "ones, which still verify the answers they sealed. Public."
    )
    async def public_keys(self, info: GraphInfo) -> list[PublicKey]:
        return await info.context.loaders.keys.load(self.id)  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, models.Agency)


@strawberry.type(
    description="A provincial-level unit (one of the 34 since 1 July 2025), as the "
    "vietnam-provinces package lists them. Public."
)
class Province:
    code: str = strawberry.field(
        description="Two-digit code, e.g. 01 for Hà Nội; the `provinceCode` of petitions and "
        "agencies."
    )
    name: str = strawberry.field(description=_OFFICIAL_NAME)


@strawberry.type(
    description="The public half of a key with which an agency seals (signs) its answers; "
    "anyone can verify an answer with it, without trusting pakn. Public."
)
class PublicKey:
    key_id: str = strawberry.field(
        description="The key's id, as in Answer.keyId: <agency code>-<YYYY-MM-DD of "
        "creation>-<6 hex digits>."
    )
    public_key: str = strawberry.field(
        description="Standard, padded base64 of the 32 raw Ed25519 public key bytes."
    )
    created_at: datetime = strawberry.field(description="When the key was made.")
    retired_at: datetime | None = strawberry.field(
        description="When the key was retired (`pakn keys rotate`); null while it is the "
        "agency's current key. A retired key seals nothing new but still verifies."
    )

    @strawberry.field(description="The signature algorithm: always Ed25519.")
    def algorithm(self) -> str:
        return "Ed25519"


@strawberry.type(
    name="Field", description="A subject area (lĩnh vực) petitions are filed under. Public."
)
class FieldType:
    code: str = strawberry.field(
        description="Stable code, e.g. DAT_DAI (land) or THUE (tax); used in filters and exports."
    )
    name: str = strawberry.field(description="Vietnamese name, e.g. Đất đai.")
    name_en: str | None = strawberry.field(
        description="English name, e.g. Land; null when none is recorded."
    )
