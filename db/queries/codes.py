"""Codes a client names (agency, field and tracking codes) as the lookups compare them.

A code is compared as `normalize_code` stores it. One that holds U+0000 names no row on
either database, and must not reach PostgreSQL at all: its text type cannot hold that
character, so it refuses the whole statement ("invalid byte sequence for encoding UTF8:
0x00") where SQLite simply finds nothing. The lookups answer "none" for such a code
without asking, the same on both.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.text import normalize_code

UNSTORABLE = "\x00"
"""The one character PostgreSQL's text cannot hold."""


def storable(text: str) -> bool:
    """Whether `text` could be a stored value (on PostgreSQL as on SQLite)."""
    return UNSTORABLE not in text


def lookup_code(raw: str) -> str | None:
    """`raw` as stored codes are compared, or None when no stored code can equal it."""
    code = normalize_code(raw)
    return code if storable(code) else None


def storable_codes(codes: Iterable[str]) -> list[str]:
    """The codes of a list that some stored code may equal (the others match nothing)."""
    return [code for code in codes if storable(code)]
