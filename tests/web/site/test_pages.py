"""The website's read pages over HTTP, on demo data (#17): `/`, `/petitions`, `/agencies`,
`/agencies/<code>`. Each shows what the GraphQL API answers for the same question (the
site asks the API, in process); bad parameters are coded 400s; every page is in
Vietnamese by default and in English on request; every page carries the security headers
and no inline script; every page weighs under 100 KB compressed with its assets."""

from __future__ import annotations

import csv
import io
import re

import pytest

from app.web.site.language import Formats, translations
from app.web.site.periods import chart_months, last_quarter
from tests.support.html_text import Page, compressed_weight
from tests.support.server import RunningServer
from tests.support.workflow import workflow_settings

PAGES = [
    "/",
    "/?sort=MEDIAN_RESPONSE",
    "/petitions",
    "/petitions?search=thu+tuc+dat+dai",
    "/agencies",
    "/agencies?period=all&sort=MOST_URGED",
    "/agencies/BTC",
]
SEARCH = """query($search: String, $province: [String!], $after: String) {
  petitions(first: 20, after: $after, filter: {search: $search, provinceCodes: $province}) {
    totalCount pageInfo { hasNextPage endCursor } nodes { trackingCode }
  }
}"""
TOTALS = "{ stats { totals { received answered onTimeRate overdueOpen averageRating } } }"


def _page(server: RunningServer, path: str, **headers: str) -> Page:
    response = server.client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return Page(response.text)


def test_the_dashboard_shows_the_apis_figures_in_vietnamese_by_default(
    demo_server: RunningServer,
) -> None:
    page = _page(demo_server, "/")
    assert page.lang == "vi"
    totals = demo_server.gql(TOTALS)["stats"]["totals"]
    vi = Formats("vi")
    figures = re.findall(r"<dd>([^<]*)</dd>", page.html)
    assert figures[5:10] == [
        vi.number(totals["received"]),
        vi.number(totals["answered"]),
        vi.percent(totals["onTimeRate"]),
        vi.number(totals["overdueOpen"]),
        vi.number(totals["averageRating"], 2),
    ]
    assert "Từ trước đến nay" in page.text and "All time" not in page.text
    assert page.count('<rect class="bar-received"') >= 1, "the monthly chart is drawn"
    assert "<svg" in page.html and '<title id="chart-title">' in page.html


def test_the_league_table_sorts_by_each_metric_and_shows_the_minimum(
    demo_server: RunningServer,
) -> None:
    for metric in (
        "ON_TIME_RATE",
        "MEDIAN_RESPONSE",
        "AVERAGE_RATING",
        "OVERDUE_OPEN",
        "MOST_URGED",
    ):
        page = _page(demo_server, f"/?sort={metric}&lang=en")
        ranking = demo_server.gql(
            """query($m: RankingMetric!, $from: Date!, $to: Date!) {
              agencyRanking(metric: $m, from: $from, to: $to) {
                minimumPetitions ranked { agency { code } } } }""",
            {"m": metric, **_last_quarter()},
        )["agencyRanking"]
        shown = re.findall(r'<th scope="row"><a href="/agencies/([^"?]+)', page.html)
        assert shown == [row["agency"]["code"] for row in ranking["ranked"]]
        assert f"fewer than {ranking['minimumPetitions']} petitions" in page.text
        assert page.count('aria-sort="') == 1


def _last_quarter() -> dict[str, str]:
    from app.web.site.periods import last_quarter

    quarter = last_quarter()
    return {"from": quarter.first_day.isoformat(), "to": quarter.last_day.isoformat()}


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/?sort=SIDEWAYS", "INVALID_PARAMETER"),
        ("/petitions?statuses=NOPE", "INVALID_PARAMETER"),
        ("/petitions?agencyCodes=XYZ", "UNKNOWN_CODE"),
        ("/petitions?agencyCodes=%3Cb%3E", "INVALID_PARAMETER"),
        ("/petitions?after=garbage", "INVALID_CURSOR"),
        ("/petitions?after=a&before=b", "INVALID_PARAMETER"),
        ("/petitions?from=2026-13-01", "INVALID_PARAMETER"),
        ("/petitions?to=9999-12-31", "INVALID_PARAMETER"),
        ("/petitions?to=5000-01-01", "INVALID_PARAMETER"),
        ("/petitions?from=1999-12-31", "INVALID_PARAMETER"),
        ("/petitions?search=a&search=b", "INVALID_PARAMETER"),
        ("/petitions?search=" + "x" * 201, "TOO_LONG"),
        ("/petitions?search=%00", "INVALID_TEXT"),
        ("/petitions?search=%2B%2B%2B", "INVALID_SEARCH"),
        ("/petitions?from=2026-05-01&to=2026-01-01", "INVALID_DATE_RANGE"),
        ("/agencies?period=decade", "INVALID_PARAMETER"),
    ],
)
def test_a_parameter_outside_its_rules_is_a_coded_400(
    demo_server: RunningServer, path: str, code: str
) -> None:
    response = demo_server.client.get(path)
    assert response.status_code == 400, response.text[:300]
    page = Page(response.text)
    assert f"<code>{code}</code>" in page.html
    assert "Traceback" not in page.text
    assert response.headers["cache-control"] == "private, no-store"


def test_an_unknown_agency_is_a_404_page(demo_server: RunningServer) -> None:
    for path in ("/agencies/NOPE", "/agencies/%3Cscript%3E", "/agencies/" + "A" * 40):
        response = demo_server.client.get(path)
        assert response.status_code == 404, path
        assert "<code>NOT_FOUND</code>" in response.text


def test_search_ignores_diacritics_and_finds_what_the_api_finds(
    demo_server: RunningServer,
) -> None:
    page = _page(demo_server, "/petitions?search=thu+tuc+dat+dai")
    found = demo_server.gql(SEARCH, {"search": "thủ tục đất đai"})["petitions"]
    assert found["totalCount"] > 0
    vi = Formats("vi")
    assert f"{vi.number(found['totalCount'])} đơn" in page.text
    shown = re.findall(r'<a href="/p/(PAKN-\d{4}-\d+)', page.html)
    assert shown == [node["trackingCode"] for node in found["nodes"]]


def test_filters_page_by_keyset_and_link_the_export_of_the_same_filter(
    demo_server: RunningServer,
) -> None:
    expected = list(demo_server.pages(SEARCH, {"province": ["01"]}))
    page = _page(demo_server, "/petitions?provinceCodes=01&lang=en")
    seen: list[list[str]] = []
    while True:
        seen.append(re.findall(r'<a href="/p/(PAKN-\d{4}-\d+)', page.html))
        following = re.search(r'<a rel="next" href="([^"]+)"', page.html)
        if not following:
            break
        link = following.group(1).replace("&amp;", "&")
        assert "provinceCodes=01" in link and "lang=en" in link
        page = _page(demo_server, link)
    assert seen == [[node["trackingCode"] for node in p["nodes"]] for p in expected]
    back = re.search(r'<a rel="prev" href="([^"]+)"', page.html)
    if len(seen) > 1:
        assert back, "the last page links back"
        earlier = _page(demo_server, back.group(1).replace("&amp;", "&"))
        assert re.findall(r'<a href="/p/(PAKN-\d{4}-\d+)', earlier.html) == seen[-2]
    export = re.search(r'<a href="(/export/petitions\.csv[^"]*)"', page.html)
    assert export
    response = demo_server.client.get(export.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == expected[0]["totalCount"]


def test_the_agency_list_has_every_agency_and_the_agency_page_its_scorecard(
    demo_server: RunningServer,
) -> None:
    page = _page(demo_server, "/agencies?period=all")
    agencies = demo_server.gql("{ agencies { totalCount } }")["agencies"]["totalCount"]
    assert page.count(r'<th scope="row"><a href="/agencies/') == agencies
    card = demo_server.gql(
        """{ agency(code: "BTC") { name allTime: scorecard { received answered overdueOpen } } }"""
    )["agency"]
    page = _page(demo_server, "/agencies/btc")
    assert card["name"] in page.text
    figures = re.findall(r"<dd>([^<]*)</dd>", page.html)
    vi = Formats("vi")
    assert figures[10:12] == [
        vi.number(card["allTime"]["received"]),
        vi.number(card["allTime"]["answered"]),
    ]
    assert figures[13] == vi.number(card["allTime"]["overdueOpen"])


def test_the_agency_pages_links_to_its_lists_count_what_their_headings_count(
    demo_server: RunningServer,
) -> None:
    """The overdue and the open-within-the-deadline lists show their first 20; the link to
    each on /petitions finds as many as the heading says."""
    ranking = demo_server.gql(
        "{ agencyRanking(metric: OVERDUE_OPEN) { ranked { agency { code } } } }"
    )["agencyRanking"]["ranked"]
    busiest = ranking[-1]["agency"]["code"]
    page = _page(demo_server, f"/agencies/{busiest}?lang=en")
    for heading, link_text in [
        ("Overdue now", "All overdue petitions of this agency"),
        ("Open, within the deadline", "All open petitions of this agency"),
    ]:
        count = re.search(rf"<h2 [^>]*>{heading}: ([\d,]+)</h2>", page.html)
        assert count, heading
        link = re.search(rf'<a href="([^"]+)">{link_text}</a>', page.html)
        assert int(count.group(1).replace(",", "")) > 0, heading
        assert link, link_text
        listed = _page(demo_server, link.group(1).replace("&amp;", "&"))
        assert re.search(rf"\b{count.group(1)} petitions? ", listed.text), link_text


def test_english_by_address_or_by_the_browsers_preference(demo_server: RunningServer) -> None:
    chosen = demo_server.client.get("/petitions?lang=en")
    assert Page(chosen.text).lang == "en" and chosen.headers["content-language"] == "en"
    assert "Accept-Language" in chosen.headers["vary"]
    links = [
        link for link in Page(chosen.text).links if link.startswith("/") and "export" not in link
    ]
    internal = [link for link in links if not link.startswith(("/graphql", "/log/", "/export"))]
    assert internal and all("lang=" in link for link in internal), internal
    preferred = demo_server.client.get("/", headers={"Accept-Language": "fr-FR, en;q=0.8"})
    assert Page(preferred.text).lang == "en"
    assert not any(
        "lang=en" in link for link in Page(preferred.text).links if "lang=vi" not in link
    )
    assert Page(demo_server.client.get("/", headers={"Accept-Language": "fr"}).text).lang == "vi"
    back = demo_server.client.get("/?lang=vi", headers={"Accept-Language": "en"})
    assert Page(back.text).lang == "vi"
    odd = demo_server.client.get("/", headers={"Accept-Language": "en;q=x," * 400})
    assert odd.status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_security_headers_and_no_inline_script(
    demo_server: RunningServer, path: str
) -> None:
    response = demo_server.client.get(path)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    page = Page(response.text)
    assert page.inline_scripts() == [] and page.handlers == [] and page.inline_styles == []
    assert response.headers["cache-control"] == "public, max-age=10"
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("path", PAGES)
def test_every_page_weighs_under_100_kb_compressed_with_its_assets(
    demo_server: RunningServer, path: str
) -> None:
    total = compressed_weight(demo_server.client, path)
    assert total < 100_000, (path, total)


def test_the_site_is_under_the_read_limit(empty_database: str) -> None:
    with RunningServer(workflow_settings(empty_database, read_rate=3)) as server:
        codes = [server.client.get("/agencies").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
        assert server.client.get("/static/site/site.css").status_code == 429


def test_the_dashboard_is_served_from_the_statistics_rollups(demo_server: RunningServer) -> None:
    demo_server.client.get("/")
    demo_server.log.clear()
    assert demo_server.client.get("/").status_code == 200
    statements = demo_server.log.statements
    counting = [s for s in statements if "count(" in s.lower() or "sum(" in s.lower()]
    assert any("petition_stats_rollup" in s for s in counting), counting
    assert len(statements) <= 12, statements


def test_the_charts_have_every_month_named_in_the_pages_language(
    demo_server: RunningServer,
) -> None:
    """The API lists the months something happened in; the chart and its table have all
    24, a quiet one at zero, each named as the language writes it."""
    months = chart_months()
    listed = demo_server.gql(
        'query($from: Date!) { stats(filter: {agencyCodes: ["BTC"], from: $from}) {'
        " byMonth { month stats { received } } } }",
        {"from": f"{months[0]}-01"},
    )["stats"]["byMonth"]
    received = {row["month"]: row["stats"]["received"] for row in listed}
    assert len(received) < len(months), "the demo has quiet months for BTC"
    for lang in ("vi", "en"):
        page = _page(demo_server, f"/agencies/BTC?lang={lang}")
        formats = Formats(lang)
        rows = re.findall(
            r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', page.html
        )
        assert rows == [
            (formats.month(month), formats.number(received.get(month, 0))) for month in months
        ]
        assert page.count('<rect class="bar-received"') == len(months)
    assert Formats("vi").month("2026-05") == "thg 5 2026"
    assert Formats("en").month("2026-05") == "May 2026"


def test_the_quarter_and_a_bad_parameter_are_named_in_the_pages_language(
    demo_server: RunningServer,
) -> None:
    quarter = last_quarter()
    vi, en = _page(demo_server, "/"), _page(demo_server, "/?lang=en")
    assert f"Quý {quarter.quarter}/{quarter.year}" in vi.text
    assert f"Q{quarter.quarter} {quarter.year}" in en.text and "-Q" not in en.text
    for lang in ("en", "vi"):
        response = demo_server.client.get(f"/petitions?to=9999-12-31&lang={lang}")
        text = Page(response.text).text
        label = translations(lang).gettext("Submitted until")
        assert f"({label})" in text and "(to)" not in text
        assert (
            f'<label for="to">{label}</label>' in _page(demo_server, f"/petitions?lang={lang}").html
        )
    assert translations("vi").gettext("Submitted until") != "Submitted until"
    last_day = demo_server.client.get("/petitions?to=2199-12-31&lang=en")
    assert last_day.status_code == 200, "the API's last year is a valid end"


def test_vietnamese_names_on_english_pages_are_marked_as_vietnamese(
    demo_server: RunningServer,
) -> None:
    node = demo_server.gql(
        "{ petitions(first: 1, filter: {statuses: [ANSWERED]}) { nodes { trackingCode"
        " provinceCode } } }"
    )["petitions"]["nodes"][0]
    english = _page(demo_server, f"/p/{node['trackingCode']}?lang=en")
    assert re.search(r'<dd><span lang="vi">[^<]+</span></dd>', english.html), "the province"
    options = _page(demo_server, "/petitions?lang=en").html
    assert re.search(r'<option value="01" lang="vi">', options), "a province's option"
    vietnamese = _page(demo_server, f"/p/{node['trackingCode']}")
    assert '<span lang="vi">' not in vietnamese.html.split('<main id="main">', 1)[1]
