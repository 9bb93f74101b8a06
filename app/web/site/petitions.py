"""`/petitions`: the public record, searched and filtered by every filter of the API
(`PetitionFilter`), in keyset pages, with links to the CSV and NDJSON exports of the same
filter. The query parameters are the filter's own names, as the exports take them, but
for the dates: `from` and `to` are local dates, inclusive."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from app.domain.stats import MAX_YEAR, MIN_YEAR
from app.web.site.api import SiteApi
from app.web.site.labels import STATUSES
from app.web.site.pages import BadParameter, choice, choices, failed, text
from app.web.site.templating import Visit, render

PAGE_SIZE = 20
ORDERS = {
    "newest": ("SUBMITTED_AT", "DESC"),
    "oldest": ("SUBMITTED_AT", "ASC"),
    "deadline": ("DEADLINE_AT", "ASC"),
    "answered": ("ANSWERED_AT", "DESC"),
}
CHANNELS = ("CITIZEN", "BUSINESS")
KINDS = ("REFLECTION", "RECOMMENDATION")


def _date(request: Request, name: str) -> date | None:
    """A local date in the years the API takes (`MIN_YEAR` to `MAX_YEAR`)."""
    value = text(request, name)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadParameter(name)
    return day


def _day_after(day: date | None) -> date | None:
    """The exclusive end of an inclusive `to` date; none after the last year the API
    takes, which no petition can be submitted after anyway."""
    if day is None or day == date(MAX_YEAR, 12, 31):
        return None
    return day + timedelta(days=1)


def criteria(request: Request) -> dict[str, Any]:
    """The PetitionFilter the page's parameters ask for (its own field names)."""
    start, end = _date(request, "from"), _day_after(_date(request, "to"))
    found: dict[str, Any] = {
        "search": text(request, "search"),
        "statuses": choices(request, "statuses", STATUSES),
        "agencyCodes": choices(request, "agencyCodes"),
        "fieldCodes": choices(request, "fieldCodes"),
        "provinceCodes": choices(request, "provinceCodes"),
        "channel": choice(request, "channel", CHANNELS, "") or None,
        "kind": choice(request, "kind", KINDS, "") or None,
        "overdue": {"": None, "true": True, "false": False}[
            choice(request, "overdue", ("true", "false"), "")
        ],
        "submittedFrom": f"{start.isoformat()}T00:00:00" if start else None,
        "submittedTo": f"{end.isoformat()}T00:00:00" if end else None,
    }
    return {key: value for key, value in found.items() if value not in (None, [])}


def export_query(flt: dict[str, Any]) -> str:
    """The same filter as the exports' query string."""
    pairs: list[tuple[str, str]] = []
    for key, value in flt.items():
        if isinstance(value, list):
            pairs.extend((key, item) for item in value)
        else:
            pairs.append((key, str(value).lower() if isinstance(value, bool) else str(value)))
    return urlencode(pairs)


def petitions_page(api: SiteApi):  # type: ignore[no-untyped-def]
    async def page(request: Request) -> Response:
        visit = Visit.of(request)
        try:
            flt = criteria(request)
            order = choice(request, "order", tuple(ORDERS), "newest")
            after, before = text(request, "after"), text(request, "before")
        except BadParameter as problem:
            return problem.page(visit)
        if after and before:
            return BadParameter("before").page(visit)
        field, direction = ORDERS[order]
        variables: dict[str, Any] = {
            "filter": flt or None,
            "orderBy": {"field": field, "direction": direction},
        }
        if before:
            variables |= {"last": PAGE_SIZE, "before": before}
        else:
            variables |= {"first": PAGE_SIZE, "after": after}
        result = await api.run(request, "petitions", variables)
        if not result.ok or result.data is None:
            return failed(visit, result.problems)
        found = result.data["petitions"]
        return render(
            visit,
            "petitions.html",
            options=result.data,
            flt=flt,
            order=order,
            orders=list(ORDERS),
            statuses=STATUSES,
            channels=CHANNELS,
            kinds=KINDS,
            selected=request.query_params,
            found=found,
            paging=[
                (k, v)
                for k, v in request.query_params.multi_items()
                if k not in {"after", "before", "lang"}
            ],
            exports=export_query(flt),
        )

    return page
