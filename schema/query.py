"""The root Query type: the public read side of the record."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from app.domain.reference import provinces as reference_provinces
from resolvers import agencies as agency_resolvers
from resolvers import stats as stats_resolvers
from resolvers.challenge import submit_challenge
from resolvers.nodes import node_by_id
from resolvers.petitions import (
    petition_by_tracking_code,
    petition_connection,
    petition_for_petitioner,
)
from resolvers.similar import similar_petitions
from schema.descriptions import FIRST_SUBMISSION_DATE, LAST_SUBMISSION_DATE
from schema.enums import AgencyKind
from schema.info import GraphInfo
from schema.inputs import PetitionFilter, PetitionOrder, ordering_of
from schema.log_types import LogQueries
from schema.petition_types import PetitionType, SimilarFirst
from schema.reference_types import AgencyType, FieldType, Province
from schema.relay import ConnectionType, Node
from schema.stats import (
    AgencyRanking,
    QuarterlyReportType,
    RankingMetric,
    Stats,
    StatsFilter,
    quarterly_report,
)


@strawberry.type(
    description="The read side of the public record. Anyone may query it without a token; "
    "an officer's `Authorization: Bearer` token adds what only officers see."
)
class Query(LogQueries):
    @strawberry.field(
        description="Any Agency, Petition, Answer or PetitionEvent by its global id; null when "
        "there is none (or it is an internal event)."
    )
    async def node(
        self,
        info: GraphInfo,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="A global id from a Node's `id`; INVALID_ID when it is not one."
            ),
        ],
    ) -> Node | None:
        return await node_by_id(info.context, id)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Agencies in a stable order: the ministries, the ministerial-level agencies "
        "(the Government Office among them), then the provinces' People's Committees."
    )
    async def agencies(
        self,
        info: GraphInfo,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="Page size, 1 to 100 (default 100, enough for every agency); "
                "otherwise PAGE_SIZE_OUT_OF_RANGE."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Start after this cursor of the agency list; INVALID_CURSOR when it "
                "is not one."
            ),
        ] = None,
        kind: Annotated[
            AgencyKind | None, strawberry.argument(description="Only agencies of this kind.")
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Words that the agency's code, Vietnamese or English name must "
                'all contain, ignoring case and diacritics ("tai chinh" finds Bộ Tài chính). '
                "No letter or digit at all: INVALID_SEARCH."
            ),
        ] = None,
    ) -> ConnectionType[AgencyType]:
        return await agency_resolvers.agency_connection(  # type: ignore[return-value]
            info.context, first, after, kind.value if kind else None, search
        )

    @strawberry.field(description="An agency by its code; null when no agency has it.")
    async def agency(
        self,
        info: GraphInfo,
        code: Annotated[
            str,
            strawberry.argument(description="The agency's code, e.g. BTC; any letter case."),
        ],
    ) -> AgencyType | None:
        return await agency_resolvers.agency_by_code(info.context, code)  # type: ignore[return-value]

    @strawberry.field(description="Every field (lĩnh vực) petitions are filed under, by code.")
    async def fields(self, info: GraphInfo) -> list[FieldType]:
        return await agency_resolvers.fields(info.context)  # type: ignore[return-value]

    @strawberry.field(description="The 34 provincial-level units, by code.")
    def provinces(self) -> list[Province]:
        return [Province(code=p.code, name=p.name) for p in reference_provinces()]

    @strawberry.field(
        description="The public petition list; newest submitted first by default. Page forward "
        "with `first`/`after` or backward with `last`/`before`; mixing them is refused with "
        "INVALID_PAGINATION."
    )
    async def petitions(
        self,
        info: GraphInfo,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="Forward page size, 1 to 100 (default 20 when neither `first` nor "
                "`last` is given); otherwise PAGE_SIZE_OUT_OF_RANGE."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Start after this cursor (from this list, with the same orderBy); "
                "INVALID_CURSOR when it is not one."
            ),
        ] = None,
        last: Annotated[
            int | None,
            strawberry.argument(
                description="Backward page size, 1 to 100: the items just before `before` (or "
                "the list's last items); otherwise PAGE_SIZE_OUT_OF_RANGE."
            ),
        ] = None,
        before: Annotated[
            str | None,
            strawberry.argument(
                description="End before this cursor (from this list, with the same orderBy); "
                "INVALID_CURSOR when it is not one. Without `last`, the page holds 20."
            ),
        ] = None,
        filter: Annotated[
            PetitionFilter | None,
            strawberry.argument(description="Which petitions to list; all of them when null."),
        ] = None,
        order_by: Annotated[
            PetitionOrder | None,
            strawberry.argument(
                description="The sort order; newest submitted first (SUBMITTED_AT, DESC) when null."
            ),
        ] = None,
    ) -> ConnectionType[PetitionType]:
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
        "included; null when the tracking code and secret do not match. POST only: over GET "
        "(where the secret would sit in the URL) it is refused with SECRET_OVER_GET."
    )
    async def petition_for_petitioner(
        self,
        info: GraphInfo,
        tracking_code: Annotated[
            str,
            strawberry.argument(description="The petition's tracking code; any letter case."),
        ],
        secret: Annotated[
            str,
            strawberry.argument(
                description="The secret that submitPetition returned once, as it was returned."
            ),
        ],
    ) -> PetitionType | None:
        return await petition_for_petitioner(info.context, tracking_code, secret)  # type: ignore[return-value]

    @strawberry.field(
        description="A petition by its public tracking code; null when no petition has it."
    )
    async def petition(
        self,
        info: GraphInfo,
        tracking_code: Annotated[
            str,
            strawberry.argument(
                description="E.g. PAKN-2026-000123; any letter case, outer spaces ignored."
            ),
        ],
    ) -> PetitionType | None:
        return await petition_by_tracking_code(  # type: ignore[return-value]
            info.context, tracking_code, info.selected_fields[0]
        )

    @strawberry.field(
        description="A new bot-check challenge for submitPetition (an ALTCHA proof of work, "
        "protocol version 1, as JSON: {algorithm, challenge, maxNumber, salt, signature}). "
        "Find the number n, 0 <= n <= maxNumber, whose SHA-256(salt + n) in hex is "
        "challenge, and send the base64 of the JSON {algorithm, challenge, number, salt, "
        "signature} as SubmitPetitionInput.challengeSolution within 10 minutes; each "
        "solution is good once. Required when the server runs with PAKN_SUBMIT_POW=1. "
        "Never cached: each call is a new challenge."
    )
    def submit_challenge(self, info: GraphInfo) -> str:
        return submit_challenge(info.context)

    @strawberry.field(
        description="The public petitions most like a text, best first: for a citizen "
        "before submitting (is it asked and answered already?), for the Government Office "
        "finding the petition a DUPLICATE repeats, for an agency reusing an earlier answer "
        "(each petition's latestAnswer). Ranked by text similarity over any of the words, "
        "ignoring case, diacritics and the commonest syllables (của, và, các, ...), rarer "
        "words weighing more; among near-equal scores, answered petitions first. Private "
        "petitions never appear."
    )
    async def similar_petitions(
        self,
        info: GraphInfo,
        title: Annotated[
            str,
            strawberry.argument(
                description="The title to compare, at most 200 characters (TOO_LONG)."
            ),
        ],
        body: Annotated[
            str | None,
            strawberry.argument(
                description="The body to compare too, at most 10,000 characters (TOO_LONG)."
            ),
        ] = None,
        field_code: Annotated[
            str | None,
            strawberry.argument(
                description="Prefer petitions of this field (their scores count a quarter "
                "more; others still appear); any letter case. UNKNOWN_CODE when no field "
                "has it (see Query.fields)."
            ),
        ] = None,
        first: SimilarFirst = 5,
    ) -> list[PetitionType]:
        return await similar_petitions(  # type: ignore[return-value]
            info.context, title, body, field_code, first
        )

    @strawberry.field(
        description="Statistics over the petitions submitted in a window (local dates, "
        "inclusive), with breakdowns by agency, field, province and month. Public. Refusals: "
        "INVALID_DATE_RANGE, UNKNOWN_CODE, FILTER_TOO_LARGE."
    )
    async def stats(
        self,
        info: GraphInfo,
        filter: Annotated[
            StatsFilter | None,
            strawberry.argument(
                description="Which petitions to count; every petition ever submitted when null."
            ),
        ] = None,
    ) -> Stats:
        args = filter.to_args() if filter else None
        selected = {f.name for f in info.selected_fields[0].selections if hasattr(f, "name")}
        return Stats(request=await stats_resolvers.stats_request(info.context, args, selected))

    @strawberry.field(
        description="Agencies ranked by a metric over the petitions submitted in a window "
        "(local dates, inclusive), best first, ties by agency code; agencies with fewer than "
        "the minimum of petitions (PAKN_RANKING_MINIMUM, 10) are listed apart. Every agency "
        "takes part, whether or not it received a petition. Public."
    )
    async def agency_ranking(
        self,
        info: GraphInfo,
        metric: Annotated[
            RankingMetric, strawberry.argument(description="The figure to rank agencies by.")
        ],
        from_: Annotated[
            date | None,
            strawberry.argument(
                name="from",
                description=FIRST_SUBMISSION_DATE
                + " Outside the years 2000 to 2199, or after `to`: INVALID_DATE_RANGE.",
            ),
        ] = None,
        to: Annotated[
            date | None,
            strawberry.argument(description=LAST_SUBMISSION_DATE),
        ] = None,
        first: Annotated[
            int,
            strawberry.argument(
                description="How many agencies `ranked` holds at most, 1 to 100 (otherwise "
                "PAGE_SIZE_OUT_OF_RANGE); the default, 51, is every agency. `tooFewPetitions` "
                "is never cut."
            ),
        ] = 51,
    ) -> AgencyRanking:
        ranking = await stats_resolvers.agency_ranking(info.context, from_, to, metric, first)
        return AgencyRanking(
            minimum_petitions=info.context.settings.ranking_minimum,
            ranked=ranking.ranked,  # type: ignore[arg-type]
            too_few_petitions=ranking.too_few,  # type: ignore[arg-type]
        )

    @strawberry.field(
        description="The quarterly report to the Prime Minister (quarter 1 to 4); also "
        "printable at /reports/YYYY-QN. Public."
    )
    async def quarterly_report(
        self,
        info: GraphInfo,
        year: Annotated[
            int,
            strawberry.argument(description="The year, 2000 to 2199; otherwise INVALID_QUARTER."),
        ],
        quarter: Annotated[
            int,
            strawberry.argument(
                description="The quarter: 1 (January to March) to 4; otherwise INVALID_QUARTER."
            ),
        ],
    ) -> QuarterlyReportType:
        return quarterly_report(await stats_resolvers.quarterly_report(info.context, year, quarter))
