"""CSV cells as RFC 4180 (and Python's csv module, QUOTE_MINIMAL) writes them, with
formulas defused: shared by the petition and the statistics exports."""

from __future__ import annotations

import re

_NEEDS_QUOTES = re.compile(r'[",\r\n]')
_NEEDS_QUOTES_UTF8 = re.compile(rb'[",\r\n]')
FORMULA_STARTS = "=+-@\t\r"
"""A spreadsheet takes a cell that starts with one of these for a formula (OWASP, "CSV
injection"): `=HYPERLINK(...)` in a petition's title would run in the reader's Excel."""
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
_FORMULA_FIRST_UTF8 = frozenset(c.encode() for c in FORMULA_STARTS)


def defused(text: str) -> str:
    """A CSV text cell a spreadsheet will not run: `'` before a formula's first character.

    Excel and LibreOffice show such a cell as the text after the `'`; other tools read the
    `'` as part of the value (NDJSON carries the text unchanged).
    """
    return "'" + text if text[:1] in _FORMULA_FIRST else text


def csv_field(text: str | None) -> str:
    """One CSV text field as RFC 4180 (and Python's csv module, QUOTE_MINIMAL) writes it,
    `defused`."""
    if text is None:
        return ""
    if text[:1] in _FORMULA_FIRST:
        text = "'" + text
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_field_utf8(text: bytes) -> bytes:
    """`csv_field` for text already encoded as UTF-8."""
    if text[:1] in _FORMULA_FIRST_UTF8:
        text = b"'" + text
    if _NEEDS_QUOTES_UTF8.search(text) is None:
        return text
    return b'"' + text.replace(b'"', b'""') + b'"'
