"""`/unsubscribe/<token>`: the link at the foot of every e-mail to a petitioner and in its
`List-Unsubscribe` header (`app.domain.email_notice`).

`GET` shows a small page (Vietnamese and English) whose button POSTs to the same address;
it never changes anything, so a mail scanner or a browser's prefetch that follows the link
unsubscribes nobody. `POST` (the page's form, or a mail client's RFC 8058 one-click
request, body `List-Unsubscribe=One-Click`) withdraws the consent and drops the petition's
queued e-mails; it is idempotent. No cookie is read or set: the signed token is the whole
authority, so a cross-site POST can do no more than one holding the e-mail could.

A token that is not one of this server's (the wrong length, altered, another key's) is
a 404 page coded INVALID_TOKEN, checked before any database read; the page's URL holds
the token, so responses forbid caching, referrers and external resources.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.domain.email_notice import TOKEN_LENGTH, petition_of_token
from app.services import email_outbox
from app.settings import Settings
from db.models import Petition
from db.transactions import WriteGate

INVALID_TOKEN = "INVALID_TOKEN"
UNKNOWN_PETITION = "NOT_FOUND"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;"
    "line-height:1.5}button{font-size:1em;padding:.5em 1.2em}.en{color:#555}"
)


def _page(title: str, paragraphs: list[str], status: int = 200, form: bool = False) -> Response:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    if form:
        body += (
            '<form method="post"><input type="hidden" name="List-Unsubscribe" '
            'value="One-Click"><button type="submit">Ngừng nhận thư / Unsubscribe</button>'
            "</form>"
        )
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status, headers=HEADERS)


def _refusal(code: str) -> Response:
    return _page(
        "Liên kết không hợp lệ / Invalid link",
        [
            "Liên kết ngừng nhận thư này không hợp lệ hoặc đã bị thay đổi.",
            '<span class="en">This unsubscribe link is not valid, or it was altered.</span>',
            f"<small>{escape(code)}</small>",
        ],
        404,
    )


def unsubscribe_endpoint(
    sessions: async_sessionmaker[AsyncSession], writes: WriteGate, settings: Settings
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of `GET` and `POST /unsubscribe/{token}`."""

    async def endpoint(request: Request) -> Response:
        token = str(request.path_params.get("token", ""))
        petition_id = (
            petition_of_token(settings.secret_key, token) if len(token) == TOKEN_LENGTH else None
        )
        if petition_id is None:
            return _refusal(INVALID_TOKEN)
        async with sessions() as session:
            tracking_code = await session.scalar(
                select(Petition.tracking_code).where(Petition.id == petition_id)
            )
            if tracking_code is None:
                return _refusal(UNKNOWN_PETITION)
            code = f"<strong>{escape(tracking_code)}</strong>"
            if request.method != "POST":
                return _page(
                    "Ngừng nhận thư / Unsubscribe",
                    [
                        f"Ngừng nhận thư điện tử thông báo về phản ánh, kiến nghị {code}?",
                        f'<span class="en">Stop the e-mails about petition {code}?</span>',
                    ],
                    form=True,
                )
            async with writes.transaction(session):
                await email_outbox.unsubscribe(session, petition_id)
        return _page(
            "Đã ngừng nhận thư / Unsubscribed",
            [
                f"Ông/bà sẽ không nhận thêm thư điện tử nào về phản ánh, kiến nghị {code}.",
                f'<span class="en">You will receive no more e-mails about petition {code}.</span>',
            ],
        )

    return endpoint
