"""Statistics, scorecards, rankings and the quarterly report: arguments checked, then
`app.services.reports` (SQL in `db.queries.stats`, arithmetic in `app.domain.stats`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from aiodataloader import DataLoader

from app.domain import stats
from app.domain.stats import Quarter, Ranking, RankingMetric, StatsRow, WindowError
from app.services import reports
from app.services.breakdowns import Breakdowns, windowed
from app.services.reports import QuarterlyReport
from db.models import Agency
from db.queries import stats as queries
from db.queries.petitions import PetitionCriteria
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.loaders import SharedLoader
from resolvers.pagination import MAX_PAGE
from resolvers.petitions import FilterArgs, criteria_for


@dataclass(frozen=True)
class StatsArgs:
    """The API's StatsFilter as plain values."""

    start: date | None = None
    end: date | None = None
    agency_codes: Sequence[str] | None = None
    field_codes: Sequence[str] | None = None
    province_codes: Sequence[str] | None = None
    channel: str | None = None
    kind: str | None = None
    intake_channels: Sequence[str] | None = None


def window(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    try:
        return stats.local_window(start, end)
    except WindowError as error:
        raise ClientError("INVALID_DATE_RANGE", str(error)) from None


async def stats_criteria(ctx: Context, args: StatsArgs | None) -> PetitionCriteria:
    args = args or StatsArgs()
    start, end = window(args.start, args.end)
    flt = await criteria_for(
        ctx,
        FilterArgs(
            agency_codes=args.agency_codes,
            field_codes=args.field_codes,
            province_codes=args.province_codes,
            channel=args.channel,
            kind=args.kind,
            intake_channels=args.intake_channels,
        ),
    )
    return windowed(flt, start, end)


async def stats_request(ctx: Context, args: StatsArgs | None, selected: set[str]) -> Breakdowns:
    """`selected`: the names of the Stats fields the query selects."""
    criteria = await stats_criteria(ctx, args)
    return Breakdowns(ctx.session, criteria, ctx.now, totals_from_months="byMonth" in selected)


# --- scorecards and rankings -----------------------------------------------

ScorecardKey = tuple[int, datetime | None, datetime | None]


def scorecard_loader(ctx: Context) -> DataLoader[ScorecardKey, StatsRow]:
    """Scorecards of many agencies over the same window share one GROUP BY."""

    async def batch(keys: list[ScorecardKey]) -> list[StatsRow]:
        windows: dict[tuple[datetime | None, datetime | None], list[int]] = {}
        for agency_id, start, end in keys:
            windows.setdefault((start, end), []).append(agency_id)
        found: dict[ScorecardKey, StatsRow] = {}
        for (start, end), ids in windows.items():
            flt = PetitionCriteria(agency_ids=tuple(ids), submitted_from=start, submitted_to=end)
            rows = await reports.breakdown(ctx.session, flt, "agency", ctx.now)
            found.update({(i, start, end): rows.get(i, StatsRow()) for i in ids})
        return [found[key] for key in keys]

    return SharedLoader(batch, ctx.session)


async def scorecard(ctx: Context, agency_id: int, start: date | None, end: date | None) -> StatsRow:
    low, high = window(start, end)
    if ctx.scorecards is None:
        ctx.scorecards = scorecard_loader(ctx)
    return await ctx.scorecards.load((agency_id, low, high))


async def agency_ranking(
    ctx: Context,
    start: date | None,
    end: date | None,
    metric: RankingMetric,
    first: int,
) -> Ranking[Agency]:
    if not 1 <= first <= MAX_PAGE:
        raise ClientError(
            "PAGE_SIZE_OUT_OF_RANGE",
            f"`first` must be between 1 and {MAX_PAGE}; got {first}.",
            argument="first",
            maximum=MAX_PAGE,
        )
    low, high = window(start, end)
    flt = PetitionCriteria(submitted_from=low, submitted_to=high)
    rows = await reports.breakdown(ctx.session, flt, "agency", ctx.now)
    agencies = await queries.all_agencies(ctx.session)
    entries = ((a, a.code, rows.get(a.id, StatsRow())) for a in agencies)
    return stats.rank(entries, metric, ctx.settings.ranking_minimum, first)


# --- the quarterly report --------------------------------------------------


async def quarterly_report(ctx: Context, year: int, quarter: int) -> QuarterlyReport:
    try:
        period = Quarter.of(year, quarter)
    except WindowError as error:
        raise ClientError("INVALID_QUARTER", str(error)) from None
    return await reports.quarterly_report(
        ctx.session, period, ctx.now, ctx.settings.ranking_minimum
    )
