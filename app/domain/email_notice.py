"""The e-mails to consenting petitioners (`PetitionerInput.notifyByEmail`), without a
database or a network: which events send one, the unsubscribe token, and the message.

What a message says: the tracking code, what happened in words (the agency it went to, an
update, an answer, the deadline that passed), when, and a link to the petition's public
page, in Vietnamese with an English line. What it never says: the body of the petition,
the officers' notes or the answer's text (read on the page, where the petition's privacy
rules apply), nor the petitioner's name. The title is shown for a public petition only,
whose title anyone can read anyway; a private petition's title stays out of the mail,
which crosses other servers and sits in mailboxes that others may read.

The unsubscribe token is the petition's id and an HMAC-SHA256 of it under a key derived
from the server's secret key: anyone holding the e-mail may stop the e-mails about that
petition, and nobody else can forge one for another petition. It names no person and
stays valid as long as the secret key does (unsubscribing twice is harmless).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote, urlsplit

from app.domain.timezone import to_local
from app.domain.vocabulary import Action

CHANNEL = "email"
"""`OutboxMessage.channel` of the e-mails."""
RECIPIENT = "petitioner"
"""`OutboxMessage.recipient` of an e-mail: the address is read from the petition's contact
when it is sent, so the outbox holds no personal data."""

EMAIL_ACTIONS: frozenset[str] = frozenset(
    {Action.ASSIGN, Action.PROGRESS_UPDATE, Action.ANSWER, Action.OVERDUE}
)
"""The events a consenting petitioner is told of."""

_TOKEN_PURPOSE = b"pakn unsubscribe token v1"
_ID_BYTES = 8
_MAC_BYTES = 32
TOKEN_LENGTH = 54
"""Characters of a token: base64url, unpadded, of the 8-byte id and the 32-byte MAC."""
_TOKEN = re.compile(r"[A-Za-z0-9_-]{54}")


def _token_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _TOKEN_PURPOSE, hashlib.sha256).digest()


def _mac(secret_key: str, petition_bytes: bytes) -> bytes:
    return hmac.new(_token_key(secret_key), petition_bytes, hashlib.sha256).digest()


def unsubscribe_token(secret_key: str, petition_id: int) -> str:
    petition_bytes = petition_id.to_bytes(_ID_BYTES, "big")
    raw = petition_bytes + _mac(secret_key, petition_bytes)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def petition_of_token(secret_key: str, token: str) -> int | None:
    """The petition `token` unsubscribes from; None for anything that is not a token made
    under `secret_key` (wrong length or alphabet, altered, another key's, or spelled
    otherwise than `unsubscribe_token` spells it)."""
    if _TOKEN.fullmatch(token) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _ID_BYTES + _MAC_BYTES:
        return None
    petition_bytes, mac = raw[:_ID_BYTES], raw[_ID_BYTES:]
    if not hmac.compare_digest(mac, _mac(secret_key, petition_bytes)):
        return None
    petition_id = int.from_bytes(petition_bytes, "big")
    # The last character carries 4 bits that decoding ignores: only one spelling is valid.
    if not hmac.compare_digest(token, unsubscribe_token(secret_key, petition_id)):
        return None
    return petition_id


@dataclass(frozen=True)
class Notice:
    """What one e-mail is about."""

    action: str
    tracking_code: str
    at: datetime
    """When it happened (OVERDUE: the deadline that passed)."""
    agency_name: str | None
    agency_name_en: str | None
    title: str | None
    """The petition's title, None for a private petition (see the module's docstring)."""


def _day(moment: datetime) -> str:
    return to_local(moment).strftime("%d/%m/%Y")


def _what(notice: Notice) -> tuple[str, str]:
    """What happened, in Vietnamese and in English."""
    agency = notice.agency_name or "cơ quan có thẩm quyền"
    agency_en = notice.agency_name_en or notice.agency_name or "the competent agency"
    day = _day(notice.at)
    if notice.action == Action.ASSIGN:
        return (
            f"đã được tiếp nhận và chuyển đến {agency} để giải quyết",
            f"was accepted and sent to {agency_en}",
        )
    if notice.action == Action.PROGRESS_UPDATE:
        return (
            f"đã có cập nhật tiến độ giải quyết của {agency}",
            f"has a progress update from {agency_en}",
        )
    if notice.action == Action.ANSWER:
        return (f"đã có trả lời của {agency}", f"has been answered by {agency_en}")
    if notice.action == Action.OVERDUE:
        return (
            f"đã quá hạn giải quyết (hạn {day}) mà chưa có trả lời của {agency}",
            f"is overdue: its deadline ({day}) passed without an answer from {agency_en}",
        )
    return (f"có cập nhật mới ({notice.action})", f"has news ({notice.action})")


def petition_link(public_url: str, tracking_code: str) -> str:
    return f"{public_url}/p/{quote(tracking_code, safe='')}"


def unsubscribe_link(public_url: str, token: str) -> str:
    return f"{public_url}/unsubscribe/{token}"


def subject(notice: Notice) -> str:
    vietnamese, _english = _what(notice)
    return f"Phản ánh, kiến nghị {notice.tracking_code} {vietnamese}"


def body(notice: Notice, public_url: str, token: str) -> str:
    vietnamese, english = _what(notice)
    link = petition_link(public_url, notice.tracking_code)
    lines = [
        "Kính gửi ông/bà,",
        "",
        f"Phản ánh, kiến nghị mã số {notice.tracking_code} của ông/bà {vietnamese} "
        f"(ngày {_day(notice.at)}).",
    ]
    if notice.title is not None:
        lines.append(f"Tiêu đề: {notice.title}")
    lines += [
        "",
        f"Xem chi tiết: {link}",
        "",
        f"English: your petition {notice.tracking_code} {english} "
        f"({_day(notice.at)}). Details: {link}",
        "",
        "--",
        "Thư này được gửi tự động vì ông/bà đã đồng ý nhận thông báo qua thư điện tử khi "
        "gửi phản ánh, kiến nghị; xin đừng trả lời thư này.",
        "Ngừng nhận thông báo về phản ánh, kiến nghị này / Stop these e-mails:",
        unsubscribe_link(public_url, token),
    ]
    return "\n".join(lines) + "\n"


def message_id(outbox_id: int, public_url: str) -> str:
    """The Message-ID of outbox message `outbox_id`: the same for every attempt, so that
    a copy sent twice would be recognisable as one message."""
    host = urlsplit(public_url).hostname or "pakn.invalid"
    return f"<pakn-outbox-{outbox_id}@{host}>"


def build_message(
    notice: Notice,
    *,
    outbox_id: int,
    to: str,
    mail_from: str,
    public_url: str,
    token: str,
    date: datetime,
) -> EmailMessage:
    """The e-mail, with the RFC 8058 one-click unsubscribe headers."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject(notice)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id(outbox_id, public_url)
    message["List-Unsubscribe"] = f"<{unsubscribe_link(public_url, token)}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = "vi, en"
    message.set_content(body(notice, public_url, token), charset="utf-8")
    return message


def backoff_seconds(attempts: int) -> float:
    """A minute after the first failure, doubling, at most an hour."""
    return float(min(60 * 2 ** min(max(attempts - 1, 0), 6), 3600))
