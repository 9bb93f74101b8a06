"""Statistics types: StatsRow and its breakdowns, rankings, the quarterly report.

Definitions are in the descriptions (and in the README's "Statistics" section): a petition
counts in a window by the local (Asia/Ho_Chi_Minh) date of `submittedAt`; `from` and `to`
are inclusive dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app import stats as domain_stats
from app.reports import QuarterlyReport as ReportData
from resolvers.stats import StatsArgs, StatsRequest
from schema.enums import Channel, PetitionKind

if TYPE_CHECKING:
    from schema.types import Agency, Field, Petition, Province

AgencyRef = Annotated["Agency", strawberry.lazy("schema.types")]
FieldRef = Annotated["Field", strawberry.lazy("schema.types")]
PetitionRef = Annotated["Petition", strawberry.lazy("schema.types")]
ProvinceRef = Annotated["Province", strawberry.lazy("schema.types")]

RankingMetric = strawberry.enum(
    domain_stats.RankingMetric,
    description="ON_TIME_RATE and AVERAGE_RATING rank highest first; MEDIAN_RESPONSE and "
    "OVERDUE_OPEN lowest first.",
)


@strawberry.type(
    description="Figures over the petitions of a window (by the local date of submittedAt, "
    "Asia/Ho_Chi_Minh). Each equals what a reader computes from the public petition list "
    "with the same filter."
)
class StatsRow:
    received: int = strawberry.field(description="Petitions submitted in the window.")
    answered: int = strawberry.field(description="Petitions with a first answer (answeredAt).")
    answered_on_time: int = strawberry.field(description="Petitions whose answeredOnTime is true.")
    on_time_rate: float | None = strawberry.field(
        description="answeredOnTime / answered; null when nothing was answered."
    )
    overdue_open: int = strawberry.field(
        description="Open (ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED, ESCALATED) and past "
        "deadlineAt now: the petitions whose isOverdue is true."
    )
    escalated: int = strawberry.field(
        description="Petitions ever escalated to the Government (escalatedAt set)."
    )
    follow_ups: int = strawberry.field(description="The sum of followUpCount.")
    rejected: int = strawberry.field(description="Petitions with status REJECTED.")
    median_response_working_days: int | None = strawberry.field(
        description="Median of responseWorkingDays over answered petitions, by the "
        "nearest-rank method (the value at rank ceil(0.5 n)); null when none was answered."
    )
    p90_response_working_days: int | None = strawberry.field(
        description="90th percentile of responseWorkingDays over answered petitions, "
        "nearest rank (the value at rank ceil(0.9 n)); null when none was answered."
    )
    average_rating: float | None = strawberry.field(
        description="Mean score of the rated petitions; null when none was rated."
    )
    rating_counts: list[int] = strawberry.field(
        description="How many ratings scored 1, 2, 3, 4 and 5 (five counts)."
    )


@strawberry.type(
    description="Each figure of this quarter minus the previous quarter's; null where either "
    "side is null. ratingCounts: the difference per score."
)
class StatsChange:
    received: int
    answered: int
    answered_on_time: int
    on_time_rate: float | None
    overdue_open: int
    escalated: int
    follow_ups: int
    rejected: int
    median_response_working_days: int | None
    p90_response_working_days: int | None
    average_rating: float | None
    rating_counts: list[int]


@strawberry.input(
    description="Which petitions the statistics cover; every condition given must hold."
)
class StatsFilter:
    from_: date | None = strawberry.field(
        default=None,
        name="from",
        description="First local date (Asia/Ho_Chi_Minh) of submission, inclusive.",
    )
    to: date | None = strawberry.field(
        default=None, description="Last local date of submission, inclusive."
    )
    agency_codes: list[str] | None = strawberry.field(
        default=None, description="The agency currently handling the petition."
    )
    field_codes: list[str] | None = None
    province_codes: list[str] | None = None
    channel: Channel | None = None
    kind: PetitionKind | None = None

    def to_args(self) -> StatsArgs:
        return StatsArgs(
            start=self.from_,
            end=self.to,
            agency_codes=self.agency_codes,
            field_codes=self.field_codes,
            province_codes=self.province_codes,
            channel=self.channel.value if self.channel else None,
            kind=self.kind.value if self.kind else None,
        )


@strawberry.type(description="The figures of one agency (the agency currently handling).")
class AgencyStats:
    agency: AgencyRef
    stats: StatsRow


@strawberry.type
class FieldStats:
    field: FieldRef
    stats: StatsRow


@strawberry.type
class ProvinceStats:
    province: ProvinceRef
    stats: StatsRow


@strawberry.type(description="The figures of the petitions submitted in one local month.")
class PeriodStats:
    month: str = strawberry.field(description="YYYY-MM, Asia/Ho_Chi_Minh.")
    stats: StatsRow


@strawberry.type(
    description="Statistics over a filter. Breakdowns list only keys with at least one "
    "petition, by code (months in order); petitions with no agency, field or province yet "
    "count in the totals only."
)
class Stats:
    request: strawberry.Private[StatsRequest]

    @strawberry.field
    async def totals(self) -> StatsRow:
        return await self.request.totals()  # type: ignore[return-value]

    @strawberry.field
    async def by_agency(self) -> list[AgencyStats]:
        return await self.request.by_agency()  # type: ignore[return-value]

    @strawberry.field
    async def by_field(self) -> list[FieldStats]:
        return await self.request.by_field()  # type: ignore[return-value]

    @strawberry.field
    async def by_province(self) -> list[ProvinceStats]:
        return await self.request.by_province()  # type: ignore[return-value]

    @strawberry.field
    async def by_month(self) -> list[PeriodStats]:
        return await self.request.by_month()  # type: ignore[return-value]


@strawberry.type
class RankedAgency:
    rank: int | None = strawberry.field(
        description="1 for the best; null when listed apart or without a value for the metric."
    )
    agency: AgencyRef
    value: float | None = strawberry.field(description="The agency's figure for the metric.")
    stats: StatsRow


@strawberry.type(
    description="Agencies ranked best first, ties broken by agency code. Agencies that "
    "received fewer than `minimumPetitions` petitions in the window are listed apart; those "
    "with no value for the metric (nothing answered or rated) come last in `ranked`, unranked."
)
class AgencyRanking:
    minimum_petitions: int
    ranked: list[RankedAgency]
    too_few_petitions: list[RankedAgency]


@strawberry.type
class AgencyCount:
    agency: AgencyRef
    count: int


@strawberry.type(
    description="The agencies that delay, named publicly: the five with the most of each "
    "(none with zero), ties by code."
)
class DelayingAgencies:
    most_overdue: list[AgencyCount] = strawberry.field(
        description="overdueOpen of the quarter's petitions as of the report's asOf."
    )
    most_transfer_requests: list[AgencyCount] = strawberry.field(
        description="Transfer requests (REQUEST_TRANSFER events) the agency made in the quarter."
    )
    most_escalations: list[AgencyCount] = strawberry.field(
        description="The quarter's petitions handled by the agency that were escalated."
    )


@strawberry.type(
    description="The Government Office's report to the Prime Minister for one quarter: the "
    "petitions submitted in it (local dates). Also printable at `htmlPath`."
)
class QuarterlyReport:
    year: int
    quarter: int
    period: str = strawberry.field(description="e.g. 2026-Q1")
    from_: date = strawberry.field(name="from", description="The quarter's first day.")
    to: date = strawberry.field(description="The quarter's last day.")
    as_of: datetime = strawberry.field(
        description="The report's 'now', for overdueOpen: the quarter's last instant once it "
        "is over, the present while it runs. Overdue is judged on each petition's current "
        "status and deadline."
    )
    minimum_petitions: int = strawberry.field(
        description="Agencies need this many petitions to be exemplary (PAKN_RANKING_MINIMUM)."
    )
    totals: StatsRow
    previous_totals: StatsRow = strawberry.field(
        description="The previous quarter, its overdueOpen as of its own last instant."
    )
    change: StatsChange
    by_agency: list[AgencyStats]
    delaying: DelayingAgencies
    exemplary: list[AgencyStats] = strawberry.field(
        description="The five best by on-time rate, then average rating, among agencies "
        "with at least minimumPetitions received and one answered; ties by code."
    )
    featured: list[PetitionRef] = strawberry.field(
        description="Petitions the Government Office featured as useful during the quarter."
    )
    html_path: str = strawberry.field(description="The printable page, e.g. /reports/2026-Q1.")


def quarterly_report(data: ReportData) -> QuarterlyReport:
    q = data.quarter
    return QuarterlyReport(
        year=q.year,
        quarter=q.quarter,
        period=q.label,
        from_=q.first_day,
        to=q.last_day,
        as_of=data.as_of,
        minimum_petitions=data.minimum_petitions,
        totals=data.totals,  # type: ignore[arg-type]
        previous_totals=data.previous_totals,  # type: ignore[arg-type]
        change=data.change,  # type: ignore[arg-type]
        by_agency=data.agencies,  # type: ignore[arg-type]
        delaying=DelayingAgencies(
            most_overdue=data.most_overdue,  # type: ignore[arg-type]
            most_transfer_requests=data.most_transfer_requests,  # type: ignore[arg-type]
            most_escalations=data.most_escalations,  # type: ignore[arg-type]
        ),
        exemplary=data.exemplary,  # type: ignore[arg-type]
        featured=data.featured,  # type: ignore[arg-type]
        html_path=f"/reports/{q.label}",
    )
