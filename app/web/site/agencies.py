"""`/agencies`: every agency's figures over a window, ranked by any metric of
`Query.agencyRanking` (the minimum-petitions rule shown); `/agencies/<code>`: one agency's
scorecard for the last quarter and all time, its monthly trend, its overdue and other open
petitions (nearest deadline first) and its sealing keys."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from app.domain.vocabulary import OPEN_STATUS_VALUES
from app.web.site.api import Problem, SiteApi
from app.web.site.charts import monthly_chart
from app.web.site.pages import BadParameter, choice, failed
from app.web.site.periods import PERIODS, chart_months, chart_start, last_quarter, window
from app.web.site.templating import RANKING_METRICS, Visit, render

AGENCY_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")
LISTED = 20


def agencies_page(api: SiteApi):  # type: ignore[no-untyped-def]
    async def page(request: Request) -> Response:
        visit = Visit.of(request)
        try:
            metric = choice(request, "sort", RANKING_METRICS, "ON_TIME_RATE")
            period = choice(request, "period", PERIODS, "quarter")
        except BadParameter as problem:
            return problem.page(visit)
        start, end = window(period)
        result = await api.run(request, "agencies", {"metric": metric, "from": start, "to": end})
        if not result.ok or result.data is None:
            return failed(visit, result.problems)
        return render(
            visit,
            "agencies.html",
            ranking=result.data["agencyRanking"],
            metric=metric,
            period=period,
            periods=PERIODS,
            quarter=last_quarter(),
            start=start,
            end=end,
        )

    return page


def agency_page(api: SiteApi):  # type: ignore[no-untyped-def]
    async def page(request: Request) -> Response:
        visit = Visit.of(request)
        code = request.path_params["code"]
        missing = failed(visit, [Problem("NOT_FOUND", "")], status=404)
        if not AGENCY_CODE.fullmatch(code):
            return missing
        quarter = last_quarter()
        result = await api.run(
            request,
            "agency",
            {
                "code": code.upper(),
                "quarterFrom": quarter.first_day.isoformat(),
                "quarterTo": quarter.last_day.isoformat(),
                "chartFrom": chart_start(),
                "list": LISTED,
                "open": list(OPEN_STATUS_VALUES),
            },
        )
        if any(problem.code == "UNKNOWN_CODE" for problem in result.problems):
            return missing
        if not result.ok or result.data is None:
            return failed(visit, result.problems)
        if result.data["agency"] is None:
            return missing
        months = result.data["trend"]["byMonth"]
        return render(
            visit,
            "agency.html",
            agency=result.data["agency"],
            quarter=quarter,
            chart=monthly_chart(months, chart_months()),
            overdue=result.data["overdue"],
            open=result.data["open"],
            open_statuses=list(OPEN_STATUS_VALUES),
        )

    return page
