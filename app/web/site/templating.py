"""Rendering the website's pages: Jinja2 templates, one environment per language.

Every value is escaped (autoescape); texts are gettext messages (`{% trans %}`, `_()`),
dates and numbers go through the language's `Formats`. A page's links keep `?lang=` when
the visitor chose the language in the address (`url`), since the site sets no cookie that
could remember it. Public pages may be cached like the API's anonymous answers; pages that
show a petitioner's own data or carry a form's token are `private, no-store`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.domain.attachments import MediaType
from app.domain.stats import METRICS, Quarter, RankingMetric
from app.web.site import language
from app.web.site.labels import LABELS
from app.web.site.problems import PARAMETERS
from app.web.site.security import protect

TEMPLATES = Path(__file__).parent / "templates"
RANKING_METRICS = tuple(metric.value for metric in METRICS)
SORT_ORDER = {
    metric.value: "descending" if higher_is_better else "ascending"
    for metric, (_, higher_is_better) in METRICS.items()
}
"""Each ranking metric's column, sorted best first: aria-sort's direction."""
METRIC_COLUMNS: dict[str, tuple[str, int | None]] = {
    RankingMetric.ON_TIME_RATE: ("onTimeRate", None),
    RankingMetric.MEDIAN_RESPONSE: ("medianResponseWorkingDays", 0),
    RankingMetric.AVERAGE_RATING: ("averageRating", 2),
    RankingMetric.OVERDUE_OPEN: ("overdueOpen", 0),
    RankingMetric.MOST_URGED: ("urgedRate", None),
}
"""The StatsRow field each ranking metric ranks by, and its decimals (None: a percentage)."""
if set(METRIC_COLUMNS) != set(RankingMetric):
    raise RuntimeError("every RankingMetric needs its column in the league tables")
STATIC_PREFIX = "/static/site/"


def _filters(lang: str) -> dict[str, Callable[..., Any]]:
    """What templates write values with, in `lang`: labels, names, dates and numbers."""
    formats = language.Formats(lang)
    gettext = language.translations(lang).gettext

    def label(value: str | None) -> str:
        return gettext(LABELS[value]) if value in LABELS else (value or "—")

    def localized(thing: dict[str, Any] | None) -> str:
        """An agency's or field's name in the page's language (English when it has one)."""
        if not thing:
            return "—"
        return str((thing.get("nameEn") if lang == "en" else None) or thing["name"])

    def vietnamese(text: str | None) -> Markup:
        """A Vietnamese name or text, marked as such on an English page (screen readers
        then read it in Vietnamese)."""
        if lang == "vi" or not text:
            return escape(text or "—")
        return Markup('<span lang="vi">{}</span>').format(text)

    def named(thing: dict[str, Any] | None) -> Markup:
        """`localized`, marked lang="vi" where an English page falls back to the
        Vietnamese name (for text-only places, a <title> or an <option>: `localized`)."""
        if thing and not (lang == "en" and thing.get("nameEn")):
            return vietnamese(thing["name"])
        return escape(localized(thing))

    def metric(stats: dict[str, Any], name: str) -> str:
        """The figure a league table shows in metric `name`'s column."""
        field, digits = METRIC_COLUMNS[name]
        value = stats[field]
        return formats.percent(value) if digits is None else formats.number(value, digits)

    def file_kind(media_type: str) -> str:
        """An attachment's type as people name it: PDF, JPEG, DOCX."""
        kind = next((k.name for k in MediaType if k.value == media_type), None)
        return kind or media_type

    def file_size(size: int) -> str:
        if size < 1024 * 1024:
            return f"{formats.number(max(1, round(size / 1024)))} KB"
        return f"{formats.number(size / (1024 * 1024), 1)} MB"

    def quarter(period: Quarter) -> str:
        return gettext("Q%(quarter)s %(year)s") % {"quarter": period.quarter, "year": period.year}

    return {
        "label": label,
        "localized": localized,
        "named": named,
        "vi": vietnamese,
        "quarter": quarter,
        "metric": metric,
        "file_kind": file_kind,
        "file_size": file_size,
        "month": formats.month,
        "date": formats.date,
        "datetime": formats.datetime,
        "number": formats.number,
        "percent": formats.percent,
    }


def _labels_json(lang: str) -> Callable[[], Markup]:
    gettext = language.translations(lang).gettext

    def labels_json() -> Markup:
        """The status and action labels as JSON, for `live.js` (in a data block, which
        the policy lets through: it is never run)."""
        data = {key: gettext(value) for key, value in LABELS.items()}
        return Markup(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))

    return labels_json


def _environment(lang: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(language.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    environment.filters.update(_filters(lang))
    environment.globals.update(
        lang=lang,
        static=STATIC_PREFIX,
        labels_json=_labels_json(lang),
        ranking_metrics=RANKING_METRICS,
        sort_order=SORT_ORDER,
        parameter_label=lambda name: language.translations(lang).gettext(PARAMETERS[name]),
    )
    return environment


ENVIRONMENTS = {lang: _environment(lang) for lang in language.LANGUAGES}


@dataclass(frozen=True)
class Visit:
    """Who is looking, in which language, at which address."""

    request: Request
    lang: str
    lang_in_url: bool

    @classmethod
    def of(cls, request: Request) -> Visit:
        lang, chosen = language.choose(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        return cls(request, lang, chosen)

    def url(self, path: str, **params: Any) -> str:
        """`path` with `params` (None and "" left out), and `lang` when the address chose it."""
        pairs = [(key, value) for key, value in params.items() if value not in (None, "")]
        if self.lang_in_url:
            pairs.append(("lang", self.lang))
        expanded = [
            (key, item)
            for key, value in pairs
            for item in (value if isinstance(value, list | tuple) else [value])
        ]
        return f"{path}?{urlencode(expanded)}" if expanded else path

    def link(self, path: str, pairs: list[tuple[str, str]], **params: str | None) -> str:
        """`path` with the query `pairs` kept as they are, then `params` and `lang`."""
        merged = [*pairs, *[(k, v) for k, v in params.items() if v not in (None, "")]]
        if self.lang_in_url:
            merged.append(("lang", self.lang))
        return f"{path}?{urlencode(merged)}" if merged else path

    def other_language(self) -> str:
        """This page's address in the other language."""
        other = "en" if self.lang == "vi" else "vi"
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return f"{self.request.url.path}?{urlencode([*params, ('lang', other)])}"

    @property
    def formats(self) -> language.Formats:
        return language.Formats(self.lang)


def render(
    visit: Visit,
    template: str,
    *,
    status: int = 200,
    private: bool = False,
    cache_seconds: int = 10,
    **values: Any,
) -> HTMLResponse:
    return respond(visit, render_html(visit, template, **values), status, private, cache_seconds)


def render_html(visit: Visit, template: str, **values: Any) -> str:
    page = ENVIRONMENTS[visit.lang].get_template(template)
    values.setdefault("other_language", visit.other_language())
    return page.render(visit=visit, url=visit.url, path=visit.request.url.path, **values)


def respond(
    visit: Visit, html: str, status: int = 200, private: bool = False, cache_seconds: int = 10
) -> HTMLResponse:
    response = HTMLResponse(html, status_code=status)
    response.headers["content-language"] = visit.lang
    response.headers["vary"] = "Accept-Language"
    if private or status >= 400:
        response.headers["cache-control"] = "private, no-store"
    else:
        response.headers["cache-control"] = f"public, max-age={cache_seconds}"
    return protect(response)


class Skeletons:
    """Pages rendered once for the data they show, then given each visitor's own values.

    A blank form is the same HTML for everyone who sees the same data in the same
    language but for a token or two (the CSRF token, an idempotency key): it is rendered
    with placeholders in their place, kept, and filled in for each visit. The data is
    part of the key (its JSON), so a page always shows what the API answered. The link to
    the page in the other language keeps the visitor's query string, so it is a hole too:
    one visitor's address never reaches another's page."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], str] = OrderedDict()

    def render(
        self, visit: Visit, template: str, fill: dict[str, str], depends_on: Any, **values: Any
    ) -> str:
        """`template` with `values`, the same for every visit whose `depends_on` (JSON:
        the API's data and the visitor's choices the page shows) is the same, but for
        the values of `fill`."""
        fill = {**fill, "other_language": visit.other_language()}
        page = (template, visit.lang, visit.lang_in_url, visit.request.url.path)
        key = (*page, orjson.dumps(depends_on, option=orjson.OPT_SORT_KEYS))
        html = self._pages.get(key)
        if html is None:
            holes = {name: f"\x00{name}\x00" for name in fill}
            html = render_html(visit, template, **values, **holes)
            self._pages[key] = html
            if len(self._pages) > self.size:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        for name, value in fill.items():
            html = html.replace(f"\x00{name}\x00", str(escape(value)))
        return html
