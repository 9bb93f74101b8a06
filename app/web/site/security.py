"""The website's protections: its Content-Security-Policy and the CSRF token of its forms.

The policy lets a page load nothing but pakn's own scripts, styles and images and talk
to nothing but pakn (its API and its WebSocket): no inline script, no inline style, no
frame, no plugin, forms that post only here.

CSRF: the form pages set one cookie, `SameSite=Strict` and `HttpOnly`, holding a random
token that also goes in the form as a hidden field; a POST is taken only when the two
match and its `Origin`, when sent, is this site's. The cookie carries no authority: the
petitioner's secret and every other credential travel in the form body alone.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
HEADERS: Mapping[str, str] = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
CSRF_COOKIE = "pakn_csrf"
CSRF_FIELD = "csrf"
TOKEN_BYTES = 24


def protect(response: Response) -> Response:
    response.headers.update(HEADERS)
    return response


def csrf_token(request: Request) -> str:
    """The visitor's token: the cookie's when it has a well-formed one, else a new one."""
    token = request.cookies.get(CSRF_COOKIE, "")
    return token if _well_formed(token) else secrets.token_urlsafe(TOKEN_BYTES)


def set_csrf_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


def _well_formed(token: str) -> bool:
    return 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def csrf_holds(request: Request, form_token: str | None) -> bool:
    """Whether a form POST comes from this site's own page."""
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        return False
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not form_token or not _well_formed(cookie):
        return False
    return hmac.compare_digest(cookie.encode(), form_token.encode())


def _own_origin(request: Request) -> str:
    url = request.url
    default = {"http": 80, "https": 443}.get(url.scheme)
    port = "" if url.port in (None, default) else f":{url.port}"
    host = url.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{url.scheme}://{host}{port}"
