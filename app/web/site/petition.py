"""`/p/<trackingCode>`: one petition as the public sees it, from one GraphQL document
(`queries/petition.graphql`): its facts, deadline, history, every answer with its seal,
the rating and similar petitions.

The page carries what `static/seal.js` needs to check, in the browser, each answer's seal
(Ed25519 over the canonical message) and the inclusion of its ANSWER event in the signed
transparency log; `static/live.js` re-reads the page when one of its events happens. A
tracking code in another letter case is redirected to the canonical address.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.web.site.api import Problem, SiteApi
from app.web.site.pages import failed
from app.web.site.security import protect
from app.web.site.templating import Visit, render

TRACKING_CODE = re.compile(r"[A-Za-z0-9-]{1,40}")
"""What a tracking code's path segment may hold: longer than any pakn gives
(PAKN-2026-000123); whether there is such a petition, the API says."""


def exact_text(value: str) -> Markup:
    """`value` as HTML whose text content is exactly `value`: escaped, and with carriage
    returns as character references, which the HTML parser keeps (a raw CR it turns into
    a line feed), so seal.js hashes the very text that was sealed."""
    return Markup(str(escape(value)).replace("\r", "&#13;"))


def _answer_events(petition: dict[str, Any]) -> list[dict[str, Any] | None]:
    """Each answer's ANSWER event, by order (answers and events are both oldest first);
    None for an answer whose event is beyond the events read. seal.js checks that the
    event's log entry holds the answer's signature, so a wrong pairing cannot verify."""
    events = [e for e in petition["events"]["nodes"] if e["action"] == "ANSWER"]
    return [events[i] if i < len(events) else None for i in range(len(petition["answers"]))]


def _keys(answer: dict[str, Any]) -> str:
    keys = [
        {"keyId": key["keyId"], "publicKey": key["publicKey"]}
        for key in answer["agency"]["publicKeys"]
    ]
    return json.dumps(keys, separators=(",", ":"))


def petition_variables(code: str) -> dict[str, str]:
    """The variables the page gives its document (bench/site_pages.py sends the same)."""
    return {"trackingCode": code}


def petition_page(api: SiteApi):  # type: ignore[no-untyped-def]
    async def page(request: Request) -> Response:
        visit = Visit.of(request)
        code = request.path_params["code"]
        missing = failed(visit, [Problem("UNKNOWN_PETITION", "")], status=404)
        if not TRACKING_CODE.fullmatch(code):
            return missing
        result = await api.run(request, "petition", petition_variables(code))
        if not result.ok or result.data is None:
            return failed(visit, result.problems)
        petition = result.data["petition"]
        if petition is None:
            return missing
        if petition["trackingCode"] != code:
            canonical = visit.url(f"/p/{petition['trackingCode']}")
            return protect(RedirectResponse(canonical, status_code=301))
        settings = api.graphql.settings
        return render(
            visit,
            "petition.html",
            petition=petition,
            provinces={p["code"]: p["name"] for p in result.data["provinces"]},
            answers=list(zip(petition["answers"], _answer_events(petition), strict=True)),
            answer_keys=_keys,
            exact_text=exact_text,
            public_url=settings.public_url,
            checkpoint_seconds=settings.checkpoint_seconds,
        )

    return page
