"""What every page handler shares: reading a parameter within its limits, and the error
page (a coded problem, never a stack trace)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response

from app.web.site.api import Problem
from app.web.site.problems import describe
from app.web.site.templating import Visit, render

CODE = re.compile(r"[A-Za-z0-9_-]{1,30}")
MAX_PARAMETER = 200
"""Characters of any one query parameter the site reads."""

CLIENT_CODES = {"RATE_LIMITED": 429, "QUERY_TOO_COSTLY": 400, "REQUEST_TIMEOUT": 503}


class BadParameter(Exception):
    """A query parameter outside its rules: 400, the page says which and why."""

    def __init__(self, name: str, code: str = "INVALID_PARAMETER") -> None:
        super().__init__(name)
        self.name = name
        self.code = code

    def page(self, visit: Visit) -> Response:
        return failed(visit, [Problem(self.code, "", [self.name])], status=400)


def text(request: Request, name: str) -> str | None:
    """A single-valued text parameter, stripped; None when absent or empty."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise BadParameter(name)
    value = values[0].strip() if values else ""
    if len(value) > MAX_PARAMETER or "\x00" in value:
        raise BadParameter(name, "TOO_LONG" if len(value) > MAX_PARAMETER else "INVALID_TEXT")
    return value or None


def choice(request: Request, name: str, allowed: Sequence[str], default: str) -> str:
    value = text(request, name)
    if value is None:
        return default
    if value not in allowed:
        raise BadParameter(name)
    return value


def choices(
    request: Request, name: str, allowed: Sequence[str] | None = None, most: int = 60
) -> list[str]:
    """A repeatable parameter whose every value is one of `allowed` or, without them,
    looks like a code (the API says whether there is such a code)."""
    values = [value for value in request.query_params.getlist(name) if value]
    if len(values) > most:
        raise BadParameter(name, "FILTER_TOO_LARGE")
    if allowed is None:
        wrong = [value for value in values if not CODE.fullmatch(value)]
    else:
        wrong = [value for value in values if value not in allowed]
    if wrong:
        raise BadParameter(name)
    return list(dict.fromkeys(values))


def failed(visit: Visit, problems: Sequence[Problem], status: int | None = None) -> Response:
    """The error page for the API's problems (400, or the status their code implies)."""
    first = problems[0] if problems else Problem("INTERNAL_SERVER_ERROR", "")
    status = status or CLIENT_CODES.get(first.code, 400 if problems else 500)
    return render(
        visit,
        "error.html",
        status=status,
        heading=describe(first.code, first.field, visit.lang).heading,
        message=describe(first.code, first.field, visit.lang).text,
        code=first.code,
    )
