"""Opaque global ids (`Node.id`) and pagination cursors.

Both are URL-safe base64 of a short text, so clients treat them as opaque while the
server decodes them strictly: anything that does not decode to the expected shape is a
client error, never a server error.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import orjson

from app.domain.stats import MAX_YEAR, MIN_YEAR
from db.queries.keyset import SortKey
from resolvers.errors import ClientError

NODE_TYPES = ("Agency", "Petition", "Answer", "PetitionEvent", "Attachment")


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(token: str) -> str:
    """Decode a token this module encoded; any other spelling raises ValueError."""
    padded = token + "=" * (-len(token) % 4)
    text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    if _encode(text) != token:
        raise ValueError("not a canonical token")
    return text


MAX_ID = 2**31 - 1
"""Every id column is a 32-bit INTEGER: a larger id in a cursor or global id names nothing
(and PostgreSQL would refuse to compare it)."""


def global_id(type_name: str, ident: int) -> str:
    return _encode(f"{type_name}:{ident}")


def parse_global_id(token: str, expected: str | None = None) -> tuple[str, int]:
    try:
        type_name, _, raw = _decode(token).partition(":")
        ident = int(raw)
    except (ValueError, UnicodeError, binascii.Error):
        raise ClientError("INVALID_ID", f"{token!r} is not a pakn id.") from None
    if (
        type_name not in NODE_TYPES
        or not 1 <= ident <= MAX_ID
        or (expected and type_name != expected)
    ):
        want = expected or "a pakn node"
        raise ClientError("INVALID_ID", f"{token!r} is not the id of {want}.")
    return type_name, ident


def _bad_cursor(token: str) -> ClientError:
    return ClientError(
        "INVALID_CURSOR",
        f"Cursor {token!r} is not valid here; pass a cursor this list returned, "
        "with the same orderBy.",
    )


def encode_sort_cursor(order_name: str, value: datetime | None, ident: int) -> str:
    payload = [order_name, value.isoformat() if value is not None else None, ident]
    return _encode(orjson.dumps(payload).decode())


def decode_sort_cursor(token: str, order_name: str) -> SortKey:
    try:
        name, raw_value, ident = orjson.loads(_decode(token))
        value = datetime.fromisoformat(raw_value) if raw_value is not None else None
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise _bad_cursor(token) from None
    whole = isinstance(ident, int) and not isinstance(ident, bool)  # JSON true is no id
    if name != order_name or not whole or not 1 <= ident <= MAX_ID:
        raise _bad_cursor(token)
    if value is not None and (value.tzinfo is None or not MIN_YEAR <= value.year <= MAX_YEAR):
        # No stored time lies outside those years, and one far outside them cannot even be
        # bound: 0001-01-01T00:00:00+14:00 in UTC is before year 1 (OverflowError).
        raise _bad_cursor(token)
    return SortKey(value, ident)


def encode_id_cursor(scope: str, ident: int) -> str:
    return _encode(f"{scope}:{ident}")


def decode_id_cursor(token: str, scope: str) -> int:
    try:
        name, _, raw = _decode(token).partition(":")
        ident = int(raw)
    except (ValueError, UnicodeError, binascii.Error):
        raise _bad_cursor(token) from None
    if name != scope or not 0 <= ident <= MAX_ID:
        raise _bad_cursor(token)
    return ident
