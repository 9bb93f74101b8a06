"""Vietnamese text: NFC on the way in, a folded form for search.

Folding lower-cases, strips every combining mark and maps đ/Đ to d, so that
"thu tuc dat dai" and "Thủ tục đất đai" fold to the same words. The same function
folds what is stored and what is searched for, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[0-9a-z]+")
_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})


def normalize(text: str) -> str:
    """Return `text` in Unicode NFC, the one form pakn stores."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, diacritics-free words of `text`, separated by single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(stripped.lower()))


def search_terms(query: str) -> list[str]:
    """The folded words of a search query; empty when it has none."""
    return fold(query).split()


PREFIX = "*"


def petition_search_terms(query: str) -> list[str]:
    """The terms of a petition search: folded words, each to match a whole word.

    Vietnamese writes one syllable a word, so "thu" must not find "thuế" or "thuốc": a
    word matches a word. Written with a trailing `*` ("thu*"), a word matches every word
    it starts; the term then keeps the `*`. Empty when the query has no word.
    """
    terms: list[str] = []
    for chunk in query.split():
        words = fold(chunk).split()
        if words and chunk.endswith(PREFIX):
            words[-1] += PREFIX
        terms.extend(words)
    return terms


def normalize_code(raw: str) -> str:
    """A code as stored: what a client typed, with surrounding space dropped and in
    capitals, so `btc ` finds `BTC`. The lookups of one agency, one field and one tracking
    code use it; the filters' code lists are matched as given."""
    return raw.strip().upper()
