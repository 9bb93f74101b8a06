"""Statistics types: StatsRow and its breakdowns, rankings, the quarterly report.

Definitions are in the descriptions (and in the README's "Statistics" section): a petition
counts in a window by the local (Asia/Ho_Chi_Minh) date of `submittedAt`; `from` and `to`
are inclusive dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.domain import stats as domain_stats
from app.services.breakdowns import Breakdowns
from app.services.reports import QuarterlyReport as ReportData
from resolvers.stats import StatsArgs
from schema.descriptions import (
    CHANNEL_FILTER,
    FIRST_SUBMISSION_DATE,
    KIND_FILTER,
    LAST_SUBMISSION_DATE,
)
from schema.enums import Channel, IntakeChannel, PetitionKind, described

if TYPE_CHECKING:
    from schema.petition_types import PetitionType
    from schema.reference_types import AgencyType, FieldType, Province

AgencyRef = Annotated["AgencyType", strawberry.lazy("schema.reference_types")]
FieldRef = Annotated["FieldType", strawberry.lazy("schema.reference_types")]
PetitionRef = Annotated["PetitionType", strawberry.lazy("schema.petition_types")]
ProvinceRef = Annotated["Province", strawberry.lazy("schema.reference_types")]

_THE_AGENCY = "The agency."
_BREAKDOWN_FIGURES = "Its figures."

RankingMetric = described(
    domain_stats.RankingMetric,
    "ON_TIME_RATE and AVERAGE_RATING rank highest first; MEDIAN_RESPONSE, "
    "OVERDUE_OPEN and MOST_URGED lowest first.",
    {
        "ON_TIME_RATE": "StatsRow.onTimeRate, highest first; an agency that answered nothing "
        "has no value.",
        "MEDIAN_RESPONSE": "StatsRow.medianResponseWorkingDays, lowest first; an agency that "
        "answered nothing has no value.",
        "AVERAGE_RATING": "StatsRow.averageRating, highest first; an agency with no rated "
        "petition has no value.",
        "OVERDUE_OPEN": "StatsRow.overdueOpen (overdue now), lowest first; every agency has a "
        "value.",
        "MOST_URGED": "The share of the received petitions the Government Office urged, "
        "StatsRow.urged / received (a fraction from 0 to 1), lowest first: the least urged "
        "agency ranks best; an agency that received nothing has no value.",
    },
)


@strawberry.type(
    name="StatsRow",
    description="Figures over the petitions of a window (by the local date of submittedAt, "
    "Asia/Ho_Chi_Minh). Each equals what a reader computes from the public petition list "
    "with the same filter. Counts are whole petitions; working days are on Vietnam's "
    "calendar. Public.",
)
class StatsRowType:
    received: int = strawberry.field(description="Petitions submitted in the window.")
    answered: int = strawberry.field(description="Petitions with a first answer (answeredAt).")
    answered_on_time: int = strawberry.field(description="Petitions whose answeredOnTime is true.")
    on_time_rate: float | None = strawberry.field(
        description="The share answered on time, answeredOnTime / answered, a fraction from 0 "
        "to 1 (not a percentage); null when nothing was answered."
    )
    overdue_open: int = strawberry.field(
        description="Open (ASSIGNED, IN_PROGRESS, TRANSFER_REQUESTED, ESCALATED) and past "
        "deadlineAt now (in a quarterly report: at its asOf): the petitions whose isOverdue is "
        "true."
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
        description="The 90th percentile of responseWorkingDays over answered petitions, "
        "nearest rank (the value at rank ceil(0.9 n)); null when none was answered."
    )
    average_rating: float | None = strawberry.field(
        description="Mean score (1 to 5) of the rated petitions; null when none was rated."
    )
    rating_counts: list[int] = strawberry.field(
        description="How many ratings scored 1, 2, 3, 4 and 5: always five counts, for score "
        "1 first."
    )
    urged: int = strawberry.field(
        description="Petitions the Government Office urged at least once (urgeCount above 0; "
        "urgePetition, or SYSTEM's automatic urge): petitions, not URGE events."
    )
    overdue_ever: int = strawberry.field(
        description="Petitions that went overdue at least once (overdueCount above 0: an "
        "OVERDUE event was written for one of their deadlines), whatever their status now: "
        "petitions, not OVERDUE events."
    )
    urged_rate: float | None = strawberry.field(
        description="The share of the received petitions urged at least once, urged / "
        "received, a fraction from 0 to 1: the value agencyRanking(metric: MOST_URGED) ranks "
        "by; null when nothing was received."
    )


@strawberry.type(
    name="StatsChange",
    description="Each figure of this quarter minus the previous quarter's; null where either "
    "side is null. ratingCounts: the difference per score.",
)
class StatsChangeType:
    received: int = strawberry.field(description="Change in StatsRow.received.")
    answered: int = strawberry.field(description="Change in StatsRow.answered.")
    answered_on_time: int = strawberry.field(description="Change in StatsRow.answeredOnTime.")
    on_time_rate: float | None = strawberry.field(
        description="Change in StatsRow.onTimeRate (a fraction); null when either quarter "
        "answered nothing."
    )
    overdue_open: int = strawberry.field(
        description="Change in StatsRow.overdueOpen, each quarter as of its own asOf."
    )
    escalated: int = strawberry.field(description="Change in StatsRow.escalated.")
    follow_ups: int = strawberry.field(description="Change in StatsRow.followUps.")
    rejected: int = strawberry.field(description="Change in StatsRow.rejected.")
    median_response_working_days: int | None = strawberry.field(
        description="Change in StatsRow.medianResponseWorkingDays, in working days; null when "
        "either quarter answered nothing."
    )
    p90_response_working_days: int | None = strawberry.field(
        description="Change in StatsRow.p90ResponseWorkingDays, in working days; null when "
        "either quarter answered nothing."
    )
    average_rating: float | None = strawberry.field(
        description="Change in StatsRow.averageRating; null when either quarter has no rating."
    )
    rating_counts: list[int] = strawberry.field(
        description="Change in each of StatsRow.ratingCounts: five differences, for score 1 first."
    )
    urged: int = strawberry.field(description="Change in StatsRow.urged.")
    urged_rate: float | None = strawberry.field(
        description="Change in StatsRow.urgedRate (a fraction); null when either quarter "
        "received nothing."
    )
    overdue_ever: int = strawberry.field(description="Change in StatsRow.overdueEver.")


@strawberry.input(
    description="Which petitions the statistics cover; every condition given must hold, and a "
    "condition left out (or null) does not narrow them. A list of codes holds at most 100 "
    "(FILTER_TOO_LARGE); an unknown code is refused with UNKNOWN_CODE."
)
class StatsFilter:
    from_: date | None = strawberry.field(
        default=None,
        name="from",
        description=FIRST_SUBMISSION_DATE,
    )
    to: date | None = strawberry.field(
        default=None,
        description=LAST_SUBMISSION_DATE
        + " Dates outside the years 2000 to 2199, or `from` after `to`: INVALID_DATE_RANGE.",
    )
    agency_codes: list[str] | None = strawberry.field(
        default=None,
        description="Petitions currently handled by any of these agencies, by exact code "
        "(e.g. BTC).",
    )
    field_codes: list[str] | None = strawberry.field(
        default=None,
        description="Petitions filed under any of these fields, by exact code (e.g. DAT_DAI).",
    )
    province_codes: list[str] | None = strawberry.field(
        default=None,
        description="Petitions concerning any of these provinces, by two-digit code (e.g. 01).",
    )
    channel: Channel | None = strawberry.field(default=None, description=CHANNEL_FILTER)
    kind: PetitionKind | None = strawberry.field(default=None, description=KIND_FILTER)
    intake_channels: list[IntakeChannel] | None = strawberry.field(
        default=None,
        description="Only the petitions that reached the system so (Petition.intakeChannel): "
        "ONLINE, or LETTER, PHONE, FAX, EMAIL, IN_PERSON for those officers entered.",
    )

    def to_args(self) -> StatsArgs:
        return StatsArgs(
            start=self.from_,
            end=self.to,
            agency_codes=self.agency_codes,
            field_codes=self.field_codes,
            province_codes=self.province_codes,
            channel=self.channel.value if self.channel else None,
            kind=self.kind.value if self.kind else None,
            intake_channels=[c.value for c in self.intake_channels]
            if self.intake_channels
            else None,
        )


@strawberry.type(description="The figures of one agency, over the petitions it currently handles.")
class AgencyStats:
    agency: AgencyRef = strawberry.field(description=_THE_AGENCY)
    stats: StatsRowType = strawberry.field(description=_BREAKDOWN_FIGURES)


@strawberry.type(description="The figures of one field (lĩnh vực).")
class FieldStats:
    field: FieldRef = strawberry.field(description="The field.")
    stats: StatsRowType = strawberry.field(description=_BREAKDOWN_FIGURES)


@strawberry.type(description="The figures of the petitions concerning one province.")
class ProvinceStats:
    province: ProvinceRef = strawberry.field(description="The province.")
    stats: StatsRowType = strawberry.field(description=_BREAKDOWN_FIGURES)


@strawberry.type(description="The figures of the petitions that reached the system one way.")
class IntakeChannelStats:
    intake_channel: IntakeChannel = strawberry.field(description="How they came.")
    stats: StatsRowType = strawberry.field(description=_BREAKDOWN_FIGURES)


@strawberry.type(description="The figures of the petitions submitted in one local month.")
class PeriodStats:
    month: str = strawberry.field(
        description="The month as YYYY-MM, by the local date (Asia/Ho_Chi_Minh) of submission."
    )
    stats: StatsRowType = strawberry.field(description=_BREAKDOWN_FIGURES)


@strawberry.type(
    description="Statistics over a filter. Breakdowns list only keys with at least one "
    "petition, by code (months in order); petitions with no agency, field or province yet "
    "count in the totals only."
)
class Stats:
    request: strawberry.Private[Breakdowns]

    @strawberry.field(description="The figures over every petition the filter keeps.")
    async def totals(self) -> StatsRowType:
        return await self.request.totals()  # type: ignore[return-value]

    @strawberry.field(
        description="One row per agency currently handling at least one of the petitions, by "
        "agency code."
    )
    async def by_agency(self) -> list[AgencyStats]:
        return await self.request.by_agency()  # type: ignore[return-value]

    @strawberry.field(
        description="One row per field with at least one of the petitions, by field code."
    )
    async def by_field(self) -> list[FieldStats]:
        return await self.request.by_field()  # type: ignore[return-value]

    @strawberry.field(
        description="One row per province with at least one of the petitions, by province code."
    )
    async def by_province(self) -> list[ProvinceStats]:
        return await self.request.by_province()  # type: ignore[return-value]

    @strawberry.field(
        description="One row per intake channel with at least one of the petitions (ONLINE "
        "first, then as IntakeChannel lists them). Counted from the petitions themselves, "
        "not the rollups: slower than the other breakdowns over a large window."
    )
    async def by_intake_channel(self) -> list[IntakeChannelStats]:
        return await self.request.by_intake_channel()  # type: ignore[return-value]

    @strawberry.field(
        description="One row per local month with at least one of the petitions, oldest "
        "first; its additive figures add up to `totals`."
    )
    async def by_month(self) -> list[PeriodStats]:
        return await self.request.by_month()  # type: ignore[return-value]


@strawberry.type(description="An agency's place in an agencyRanking.")
class RankedAgency:
    rank: int | None = strawberry.field(
        description="The position, 1 for the best, then 2, 3, ... (ties are broken by agency "
        "code, so no two share a rank); null when listed apart or without a value for the "
        "metric."
    )
    agency: AgencyRef = strawberry.field(description=_THE_AGENCY)
    value: float | None = strawberry.field(
        description="The agency's figure for the metric (a fraction, working days, a mean score "
        "or a count, as the metric says); null when it has none."
    )
    stats: StatsRowType = strawberry.field(description="All the agency's figures in the window.")


@strawberry.type(
    description="Agencies ranked best first, ties broken by agency code. Agencies that "
    "received fewer than `minimumPetitions` petitions in the window are listed apart; those "
    "with no value for the metric (nothing answered or rated) come last in `ranked`, unranked."
)
class AgencyRanking:
    minimum_petitions: int = strawberry.field(
        description="Petitions an agency must have received in the window to be ranked "
        "(PAKN_RANKING_MINIMUM, default 10)."
    )
    ranked: list[RankedAgency] = strawberry.field(
        description="The agencies with at least minimumPetitions received, best first, at most "
        "`first` of them; those without a value for the metric come last, with a null rank."
    )
    too_few_petitions: list[RankedAgency] = strawberry.field(
        description="The agencies with fewer than minimumPetitions received, by code, unranked."
    )


@strawberry.type(
    name="AgencyCount", description="An agency and how many times something happened to it."
)
class AgencyCountType:
    agency: AgencyRef = strawberry.field(description=_THE_AGENCY)
    count: int = strawberry.field(description="How many (always at least 1).")


@strawberry.type(
    description="The agencies that delay, named publicly: the five with the most of each "
    "(none with zero), ties by code."
)
class DelayingAgencies:
    most_overdue: list[AgencyCountType] = strawberry.field(
        description="By overdueOpen: the quarter's petitions the agency handles that were "
        "overdue at the report's asOf."
    )
    most_transfer_requests: list[AgencyCountType] = strawberry.field(
        description="Transfer requests (REQUEST_TRANSFER events) the agency made in the quarter."
    )
    most_escalations: list[AgencyCountType] = strawberry.field(
        description="The quarter's petitions handled by the agency that were escalated."
    )
    most_urged: list[AgencyCountType] = strawberry.field(
        description="By urged: the quarter's petitions handled by the agency that the "
        "Government Office urged at least once (at any time up to now)."
    )


@strawberry.type(
    name="QuarterlyReport",
    description="The Government Office's report to the Prime Minister for one quarter: the "
    "petitions submitted in it (local dates). Also printable at `htmlPath`.",
)
class QuarterlyReportType:
    year: int = strawberry.field(description="The report's year.")
    quarter: int = strawberry.field(description="The report's quarter, 1 to 4.")
    period: str = strawberry.field(description="The quarter's label, e.g. 2026-Q1.")
    from_: date = strawberry.field(
        name="from", description="The quarter's first day (local date, Asia/Ho_Chi_Minh)."
    )
    to: date = strawberry.field(
        description="The quarter's last day (local date, Asia/Ho_Chi_Minh)."
    )
    as_of: datetime = strawberry.field(
        description="The report's 'now', for overdueOpen: the quarter's last instant once it "
        "is over, the present while it runs. Overdue is judged on each petition's current "
        "status and deadline."
    )
    minimum_petitions: int = strawberry.field(
        description="Agencies need this many petitions to be exemplary (PAKN_RANKING_MINIMUM)."
    )
    totals: StatsRowType = strawberry.field(
        description="The figures over the quarter's petitions, overdueOpen as of asOf."
    )
    previous_totals: StatsRowType = strawberry.field(
        description="The previous quarter, its overdueOpen as of its own last instant."
    )
    change: StatsChangeType = strawberry.field(
        description="This quarter's totals minus previousTotals."
    )
    by_agency: list[AgencyStats] = strawberry.field(
        description="One row per agency handling at least one of the quarter's petitions, by "
        "agency code."
    )
    delaying: DelayingAgencies = strawberry.field(
        description="The agencies that delay, named publicly."
    )
    exemplary: list[AgencyStats] = strawberry.field(
        description="The five best by on-time rate, then average rating, among agencies "
        "with at least minimumPetitions received and one answered; ties by code."
    )
    featured: list[PetitionRef] = strawberry.field(
        description="Petitions the Government Office last featured as useful during the "
        "quarter, oldest feature first, at most 100."
    )
    html_path: str = strawberry.field(description="The printable page, e.g. /reports/2026-Q1.")


def quarterly_report(data: ReportData) -> QuarterlyReportType:
    q = data.quarter
    return QuarterlyReportType(
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
            most_urged=data.most_urged,  # type: ignore[arg-type]
        ),
        exemplary=data.exemplary,  # type: ignore[arg-type]
        featured=data.featured,  # type: ignore[arg-type]
        html_path=f"/reports/{q.label}",
    )
