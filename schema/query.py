"""The root Query type: the public read side of the record."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from app.reference import provinces as reference_provinces
from resolvers import agencies as agency_resolvers
from resolvers import stats as stats_resolvers
from resolvers.nodes import node_by_id
from resolvers.petitions import (
    petition_by_tracking_code,
    petition_connection,
    petition_for_petitioner,
)
from schema.enums import AgencyKind
from schema.inputs import PetitionFilter, PetitionOrder, ordering_of
from schema.relay import Connection, Node
from schema.stats import (
    AgencyRanking,
    QuarterlyReport,
    RankingMetric,
    Stats,
    StatsFilter,
    quarterly_report,
)
from schema.types import Agency, Field, GraphInfo, Petition, Province


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
        order_field, ascending = ordering_of(order_by)
        return await petition_connection(  # type: ignore[return-value]
            info.context,
            info.selected_fields[0],
            first=first,
            after=after,
            last=last,
            before=before,
            filter_args=filter.to_args() if filter else None,
            order_field=order_field,
            ascending=ascending,
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

    @strawberry.field(
        description="Statistics over the petitions submitted in a window (local dates, "
        "inclusive), with breakdowns by agency, field, province and month."
    )
    async def stats(self, info: GraphInfo, filter: StatsFilter | None = None) -> Stats:
        args = filter.to_args() if filter else None
        selected = {f.name for f in info.selected_fields[0].selections if hasattr(f, "name")}
        return Stats(request=await stats_resolvers.stats_request(info.context, args, selected))

    @strawberry.field(
        description="Agencies ranked by a metric over the petitions submitted in a window "
        "(local dates, inclusive), best first, ties by agency code; agencies with fewer than "
        "the minimum of petitions (PAKN_RANKING_MINIMUM, 10) are listed apart."
    )
    async def agency_ranking(
        self,
        info: GraphInfo,
        metric: RankingMetric,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        first: int = 51,
    ) -> AgencyRanking:
        ranking = await stats_resolvers.agency_ranking(info.context, from_, to, metric, first)
        return AgencyRanking(
            minimum_petitions=info.context.settings.ranking_minimum,
            ranked=ranking.ranked,  # type: ignore[arg-type]
            too_few_petitions=ranking.too_few,  # type: ignore[arg-type]
        )

    @strawberry.field(
        description="The quarterly report to the Prime Minister (quarter 1 to 4); also "
        "printable at /reports/YYYY-QN."
    )
    async def quarterly_report(self, info: GraphInfo, year: int, quarter: int) -> QuarterlyReport:
        return quarterly_report(await stats_resolvers.quarterly_report(info.context, year, quarter))
