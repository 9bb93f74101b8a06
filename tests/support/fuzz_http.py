"""Raw HTTP hostility for the fuzzer: requests no GraphQL client would send.

Bodies that are not JSON (binary, truncated, a BOM, UTF-16), JSON that is not a request
object (a string, a number, null, an array, nesting deeper than any parser allows), request
objects with fields of the wrong type, batches, huge variables; wrong or odd content
types; GETs with repeated, undecodable or oversized parameters; other methods; odd
authorization headers; and the export, report and unsubscribe routes with hostile
parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from hypothesis import strategies as st

from tests.support.fuzz_checks import to_json
from tests.support.fuzz_uploads import graphql_uploads
from tests.support.fuzz_values import (
    FAR_DATES,
    FAR_TIMES,
    HOSTILE_TEXT,
    MALFORMED_TOKENS,
    ODD_DATES,
    ODD_TIMES,
    Seeds,
    hostile_json,
)

SITE_PAGES = frozenset({"/", "/petitions", "/agencies", "/submit", "/track"})
SMALL_QUERY = "{ fields { code } }"
PAGE_QUERY = (
    "query($first: Int, $after: String) { petitions(first: $first, after: $after) { totalCount } }"
)
RATE_QUERY = (
    'mutation { rateAnswer(input: {trackingCode: "x", secret: "y", score: 5}) '
    "{ userErrors { code } } }"
)

CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "application/json; charset=latin-1",
    "application/graphql",
    "application/graphql-response+json",
    "text/plain",
    "text/html",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "multipart/mixed",
    "application/octet-stream",
    "",
    "*/*",
    "application/" + "x" * 5000,
    "application/json;;;;",
    "APPLICATION/JSON",
)

NOT_JSON: tuple[bytes, ...] = (
    b"",
    b"hello",
    b"{",
    b'{"query": "{ fields { code } }"',
    b"\xef\xbb\xbf" + b'{"query": "{ fields { code } }"}',
    '{"query": "{ fields { code } }"}'.encode("utf-16"),
    b"\xff\xfe\x00\x00",
    b"\x00" * 64,
    b"query=%7B+fields+%7B+code+%7D+%7D",
    b"{ fields { code } }",
    b'{"query": NaN}',
    b'{"query": "\\ud800"}',
    b'{"query": "{ fields { code } }", "query": "{ provinces { code } }"}',
    b"[" * 2000 + b"]" * 2000,
    b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b"1e999999",
    b"-",
    b'"\\u0000"',
)

AUTHORIZATIONS = (
    None,
    "Bearer",
    "bearer not-a-token",
    "Basic dXNlcjpwYXNz",
    "Bearer " + "a" * 8000,
    "Token abc",
    "Bearer a b c",
    "Bearer %00",
)


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: str
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()
    csrf: bool = False
    """Read the form page first and send its CSRF token with the body (a site form's POST)."""

    def expects_json(self, response: httpx.Response) -> bool:
        """Whether the answer must be a coded JSON error or result: every /graphql answer
        but GraphiQL's page (a GET without a query), a HEAD's and a CORS preflight's; and
        every JSON refusal of the other routes (an export's is `{"errors": [...]}` too)."""
        kind = response.headers.get("content-type", "")
        if kind.startswith("text/html") and self.path != "/graphql":
            return False
        if self.path != "/graphql":
            return response.status_code >= 400 and kind.startswith("application/json")
        if self.method in ("HEAD", "OPTIONS"):
            return False
        graphiql = kind.startswith("text/html")
        return not (self.method == "GET" and response.status_code == 200 and graphiql)

    def check_page(self, response: httpx.Response) -> None:
        """A website page refusing a request names the problem's code: an error page in
        its text, a form sent back with errors beside each field it concerns."""
        site = self.path in SITE_PAGES or self.path.startswith(("/p/", "/agencies/"))
        if (
            site
            and response.status_code >= 400
            and response.headers.get("content-type", "").startswith("text/html")
        ):
            coded = r'<code>[A-Z_]+</code>|data-codes="[A-Z_ ]+"'
            assert re.search(coded, response.text), f"an uncoded page: {self!r}"

    def send(self, client: httpx.Client) -> httpx.Response:
        content = self.content
        if self.csrf:
            form = client.get(self.path)
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token, f"no CSRF field on {self.path}"
            content = (content or b"") + b"&csrf=" + token.group(1).encode()
        return client.request(
            self.method,
            self.path,
            content=content,
            headers=self.headers,
            params=list(self.params),
        )

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        content = (
            self.content
            if self.content is None or len(self.content) < 300
            else (self.content[:300] + b"...(%d bytes)" % len(self.content))
        )
        return (
            f"RawRequest({self.method} {self.path} params={self.params!r:.300} "
            f"headers={self.headers!r:.300} content={content!r})"
        )


def _json_bodies(seeds: Seeds) -> st.SearchStrategy[bytes]:
    """JSON that is not a well-formed request object."""
    shapes: st.SearchStrategy[Any] = st.one_of(
        hostile_json(),
        st.fixed_dictionaries(
            {"query": st.one_of(st.just(SMALL_QUERY), hostile_json())},
            optional={
                "variables": hostile_json(),
                "operationName": hostile_json(),
                "extensions": hostile_json(),
            },
        ),
        st.fixed_dictionaries(
            {"query": st.just(PAGE_QUERY)},
            optional={
                "variables": st.fixed_dictionaries(
                    {},
                    optional={
                        "first": hostile_json(),
                        "after": st.one_of(st.sampled_from(MALFORMED_TOKENS), hostile_json()),
                    },
                ),
                "operationName": st.sampled_from(["", "x", "Q", None]),
            },
        ),
        st.fixed_dictionaries(
            {
                "extensions": st.fixed_dictionaries(
                    {
                        "persistedQuery": st.fixed_dictionaries(
                            {},
                            optional={
                                "version": hostile_json(),
                                "sha256Hash": st.one_of(
                                    st.just("0" * 64), st.just("g" * 64), hostile_json()
                                ),
                            },
                        )
                    }
                )
            },
            optional={"query": st.sampled_from([SMALL_QUERY, ""])},
        ),
        st.lists(
            st.one_of(st.just({"query": SMALL_QUERY}), hostile_json()), min_size=0, max_size=5
        ),
        st.integers(1, 20_000).map(
            lambda n: {"query": PAGE_QUERY, "variables": {f"v{i}": i for i in range(n)}}
        ),
        st.integers(1, 3000).map(
            lambda n: {"query": "{ fields { code } }" + " " * n, "variables": {"x": [[]] * n}}
        ),
    )
    return shapes.map(to_json)


def _bodies(seeds: Seeds) -> st.SearchStrategy[bytes]:
    return st.one_of(
        _json_bodies(seeds),
        st.sampled_from(NOT_JSON),
        st.binary(max_size=200),
        st.just(b'{"query": "' + b"a" * 300_000 + b'"}'),
    )


@st.composite
def _posts(draw: st.DrawFn, seeds: Seeds) -> RawRequest:
    content = draw(_bodies(seeds))
    headers = _headers(draw(st.sampled_from(CONTENT_TYPES)), draw(st.sampled_from(AUTHORIZATIONS)))
    return RawRequest("POST", "/graphql", content, headers)


def _headers(content_type: str | None, authorization: str | None) -> dict[str, str]:
    headers = {}
    if content_type is not None:
        headers["content-type"] = content_type
    if authorization is not None:
        headers["authorization"] = authorization
    return headers


_GET_VALUES = st.one_of(
    st.just(SMALL_QUERY),
    st.just(PAGE_QUERY),
    st.just(RATE_QUERY),
    st.just("subscription { petitionEvents { action } }"),
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(MALFORMED_TOKENS),
    hostile_json()
    .map(lambda value: to_json(value).decode())
    .filter(lambda text: len(text.encode()) < 2000),
    st.text(max_size=30),
    st.just("x" * 5000),
)


@st.composite
def _gets(draw: st.DrawFn) -> RawRequest:
    names = st.sampled_from(["query", "variables", "operationName", "extensions", "x", ""])
    params = draw(st.lists(st.tuples(names, _GET_VALUES), max_size=3))
    accept = draw(st.sampled_from([None, "application/json", "text/html", "*/*", "text/xml"]))
    headers = _headers(None, draw(st.sampled_from(AUTHORIZATIONS)))
    if accept:
        headers["accept"] = accept
    return RawRequest("GET", "/graphql", headers=headers, params=tuple(params))


@st.composite
def _other_methods(draw: st.DrawFn) -> RawRequest:
    method = draw(
        st.sampled_from(["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"])
    )
    content = draw(st.sampled_from([None, b'{"query": "{ fields { code } }"}', b"hello"]))
    return RawRequest(method, "/graphql", content, {"content-type": "application/json"})


EXPORT_PARAMS = (
    *("submittedFrom", "submittedTo", "from", "to", "statuses", "agencyCodes", "fieldCodes"),
    *("provinceCodes", "channel", "kind", "overdue", "search", "agencyCode", "lang", "x"),
)
"""The exports' filters (petitions: submittedFrom..search; stats: from, to) and others."""


UNSUBSCRIBE_TOKENS = st.one_of(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        min_size=54,
        max_size=54,
    ),
    st.text(max_size=80),
    st.sampled_from(HOSTILE_TEXT),
    st.just("A" * 5000),
)
"""Unsubscribe tokens (`app.domain.email_notice`: 54 base64url characters): well-formed
but unsigned, any text, hostile text, far too long."""
UNSUBSCRIBE_BODIES: tuple[bytes | None, ...] = (
    None,
    b"List-Unsubscribe=One-Click",
    b"",
    b"List-Unsubscribe=" + b"x" * 3000,
    b"\xff\xfe" * 8,
)


LOG_PATHS = st.one_of(
    st.sampled_from(
        [
            "checkpoint",
            "tile/0/000",
            "tile/0/000.p/1",
            "tile/0/000.p/255",
            "tile/entries/000",
            "tile/entries/000.p/3",
            "tile/1/000.p/1",
            "tile/63/x999/x999/x999/x999/x999/x999/999",
            "tile/64/000",
            "tile/0/x000/001",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/../checkpoint",
            "tile/entries/000.p/999999999999999999999",
        ]
    ),
    st.builds(
        lambda level, parts: f"tile/{level}/{'/'.join(parts)}",
        st.sampled_from(["0", "1", "2", "entries", "63", "x", "-1", "01"]),
        st.lists(st.text(alphabet="x0123456789.p/", max_size=6), min_size=1, max_size=8),
    ),
    st.text(max_size=40),
)
"""The transparency log's paths: well-formed tiles beyond the tree, and malformed ones."""


METRICS_AUTHORIZATIONS = (
    "",
    "Bearer",
    "Bearer ",
    "Bearer wrong",
    "bearer wrong",
    "Basic cGFrbjpwYWtu",
    "Bearer " + "x" * 8192,
    "Bearer \t\t",
)


@st.composite
def _routes(draw: st.DrawFn) -> RawRequest:
    """The export, report, unsubscribe and transparency log routes (app/web) with hostile
    parameters (and bodies, for an unsubscribe's POST)."""
    values = st.one_of(
        st.sampled_from(FAR_TIMES + ODD_TIMES + FAR_DATES + ODD_DATES),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=20),
    )
    params = st.lists(st.tuples(st.sampled_from(EXPORT_PARAMS), values), max_size=3).map(tuple)
    paths = st.one_of(
        st.sampled_from(
            [
                "/export/petitions.csv",
                "/export/petitions.ndjson",
                "/export/stats.csv",
                "/export/datapackage.json",
                "/health",
                "/ready",
                "/metrics",
                "/reports/2026-Q1",
                "/static/graphiql/graphiql@3.8.3/graphiql.min.css",
                "/static/graphiql/../README.md",
                "/static/graphiql/%2e%2e/%2e%2e/main.py",
                "/static/graphiql/react@18.2.0/umd/",
                "/static/graphiql/x" * 50,
            ]
        ),
        st.builds(
            lambda year, quarter: f"/reports/{year}-Q{quarter}",
            st.sampled_from(
                ["0", "1999", "2000", "2199", "2200", "9999", "99999999999", "-1", "x"]
            ),
            st.sampled_from(["0", "1", "4", "5", "99", "-1", "x", ""]),
        ),
        st.builds(lambda token: f"/unsubscribe/{quote(token, safe='')}", UNSUBSCRIBE_TOKENS),
        st.builds(lambda tile: f"/log/{quote(tile, safe='/.')}", LOG_PATHS),
    )
    path = draw(paths)
    if path.startswith("/unsubscribe/"):
        body = draw(st.sampled_from(UNSUBSCRIBE_BODIES))
        method = draw(st.sampled_from(["GET", "POST"]))
        headers = {"content-type": "application/x-www-form-urlencoded"} if body else {}
        return RawRequest(method, path, content=body, headers=headers, params=draw(params))
    if path == "/metrics":
        authorization = draw(st.sampled_from(METRICS_AUTHORIZATIONS))
        return RawRequest("GET", path, headers={"authorization": authorization})
    return RawRequest("GET", path, params=draw(params))


SITE_PARAMS = (
    *("search", "statuses", "agencyCodes", "fieldCodes", "provinceCodes", "channel", "kind"),
    *("overdue", "from", "to", "order", "after", "before", "sort", "period", "lang", "x"),
)
"""The website's query parameters (`app.web.site`) and one it does not know."""
SITE_VALUES = (
    *("ON_TIME_RATE", "MOST_URGED", "quarter", "all", "newest", "deadline", "true", "en"),
    *("vi", "01", "BTC", "DAT_DAI", "ANSWERED", "CITIZEN", "2026-01-01", "9999-12-31"),
)


@st.composite
def _site(draw: st.DrawFn) -> RawRequest:
    """The website's pages (`app.web.site`) with hostile paths, parameters and headers."""
    segment = st.one_of(
        st.sampled_from(["PAKN-2026-000001", "pakn-2000-999999", "BTC", "btc", "UBND-01"]),
        st.sampled_from(HOSTILE_TEXT).map(lambda text: quote(text, safe="")),
        st.text(max_size=30).map(lambda text: quote(text, safe="")),
        st.just("A" * 3000),
    )
    path = draw(
        st.one_of(
            st.sampled_from(sorted(SITE_PAGES)),
            st.sampled_from(["/static/site/site.css", "/static/site/../__init__.py"]),
            st.builds(lambda code: f"/p/{code}", segment),
            st.builds(lambda code: f"/agencies/{code}", segment),
        )
    )
    values = st.one_of(
        st.sampled_from(SITE_VALUES + FAR_DATES + ODD_DATES),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=20),
        st.just("x" * 5000),
    )
    params = draw(st.lists(st.tuples(st.sampled_from(SITE_PARAMS), values), max_size=4))
    languages = st.sampled_from(
        ["en", "vi;q=0.1, en", "*", "en;q=x", "x" * 3000, "en-US,en;q=0.9,vi;q=0.8"]
    )
    headers = draw(st.dictionaries(st.just("accept-language"), languages, max_size=1))
    return RawRequest("GET", path, headers=headers, params=tuple(params))


FORM_FIELDS = (
    *("channel", "kind", "subject", "title", "body", "fullName", "email", "phone", "address"),
    *("organizationName", "taxCode", "fieldCode", "provinceCode", "isPrivate", "notifyByEmail"),
    *("idempotencyKey", "action", "trackingCode", "secret", "score", "comment", "x"),
    "expectedVersion",
)
"""The fields of the website's two forms (`/submit`, `/track`) and one they do not have."""
FORM_VALUES = (
    *("CITIZEN", "BUSINESS", "REFLECTION", "POLICY", "rate", "follow_up", "view", "5", "-1"),
    *("on", "PAKN-2026-000001", "0912345678", "a@b.vn", "DAT_DAI", "01", "9" * 40),
    "Thủ tục đất đai ở Hà Nội chậm quá nhiều tháng",
)


@st.composite
def _site_forms(draw: st.DrawFn) -> RawRequest:
    """POSTs to the website's forms: hostile fields and bodies, with or without the form's
    CSRF token (without it, each is refused before it is read)."""
    values = st.one_of(
        st.sampled_from(FORM_VALUES),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=40),
        st.just("x" * 20_000),
    )
    fields = st.lists(st.tuples(st.sampled_from(FORM_FIELDS), values), max_size=12)
    body = draw(
        st.one_of(
            fields.map(lambda pairs: urlencode(pairs).encode()),
            st.sampled_from([b"", b"\xff\xfe%%%", b"a=" + b"%FF" * 50, b"=&=&&", b"x" * 200_000]),
        )
    )
    kind = draw(st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data", ""]))
    headers = {"content-type": kind} if kind else {}
    if draw(st.booleans()):
        headers["origin"] = draw(
            st.sampled_from(["null", "http://evil.example", "http://127.0.0.1"])
        )
    return RawRequest(
        "POST",
        draw(st.sampled_from(["/submit", "/track"])),
        content=body,
        headers=headers,
        csrf=draw(st.booleans()),
    )


def _uploads() -> st.SearchStrategy[RawRequest]:
    return graphql_uploads().map(
        lambda sent: RawRequest("POST", "/graphql", content=sent[0], headers=sent[1])
    )


def raw_requests(seeds: Seeds) -> st.SearchStrategy[RawRequest]:
    return st.one_of(
        _posts(seeds), _gets(), _other_methods(), _routes(), _site(), _site_forms(), _uploads()
    )
