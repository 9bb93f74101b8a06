"""`/`: the dashboard. Headline figures for the last full quarter and for all time, the
agency league table of that quarter by any ranking metric, a monthly chart of the last
two years and the latest activity, which `live.js` keeps up to date over the WebSocket.
Every figure comes from `Query.stats` and `Query.agencyRanking`, which read the
statistics rollups."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.web.site.api import SiteApi
from app.web.site.charts import monthly_chart
from app.web.site.pages import BadParameter, choice, failed
from app.web.site.periods import chart_months, chart_start, last_quarter
from app.web.site.templating import RANKING_METRICS, Visit, render

FEED_SIZE = 10


def dashboard(api: SiteApi):  # type: ignore[no-untyped-def]
    async def page(request: Request) -> Response:
        visit = Visit.of(request)
        try:
            metric = choice(request, "sort", RANKING_METRICS, "ON_TIME_RATE")
        except BadParameter as problem:
            return problem.page(visit)
        quarter = last_quarter()
        result = await api.run(
            request,
            "dashboard",
            {
                "quarterFrom": quarter.first_day.isoformat(),
                "quarterTo": quarter.last_day.isoformat(),
                "chartFrom": chart_start(),
                "metric": metric,
                "feed": FEED_SIZE,
            },
        )
        if not result.ok or result.data is None:
            return failed(visit, result.problems)
        months = result.data["chart"]["byMonth"]
        return render(
            visit,
            "dashboard.html",
            quarter=quarter,
            metric=metric,
            data=result.data,
            chart=monthly_chart(months, chart_months()),
            feed=result.data["feed"]["nodes"],
        )

    return page
