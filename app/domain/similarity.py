"""Similar petitions: which words of a text count, how a petition scores against them, and
the order the most similar are shown in. Pure; `db.queries.similar` finds the candidates.

Words are folded syllables (`app.domain.text.fold`), as `petitions.search_text` holds
them. Vietnamese writes one syllable a word, and the commonest syllables ("của", "và",
"các") join or qualify rather than say what a petition is about: they are dropped
(`STOP_SYLLABLES`). A word written with its diacritics is dropped only when it is one of
them exactly, so "cửa" (a door) and "dược" (medicine) count while "của" and "được" do
not; a word written without diacritics ("cua", "duoc") could be either and is dropped when
its folded form is one of them.

A petition's score is Okapi BM25 over the query's words, each weighted by its rarity among
the public petitions (inverse document frequency, from the counts the database gives):
a petition sharing a rare word ranks above one sharing a common word, and one sharing
many words above one sharing few. Among scores within `NEAR_EQUAL` of each other,
petitions already answered come first (their answer may be reused).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.text import fold, normalize

STOP_SYLLABLES = frozenset(
    """
    của và các những được cho là có không trong với đã này khi người theo tại về để một từ
    đến thì mà như nhưng hay hoặc nên bị sẽ rất đều ra vào nào đây kia ấy nhiều sự
    lúc bằng trên dưới sau trước giữa ở hết rồi nữa thêm tôi chúng ta
    """.split()
)
"""The commonest Vietnamese syllables that carry no topic (particles, conjunctions,
prepositions, pronouns, quantifiers, auxiliaries), in NFC lower case. Left out although as
common: those whose folded form is also a word that does carry one, written without
diacritics ("đang"/"đăng ký", "họ"/"hộ khẩu", "lại"/"lái xe", "chưa"/"chữa bệnh",
"vì"/"vi phạm", "qua"/"quá hạn", "cũng"/"cung cấp", "chỉ"/"chi phí", "mọi"/"môi trường",
"nơi"/"Hà Nội")."""

FOLDED_STOP_SYLLABLES = frozenset(fold(syllable) for syllable in STOP_SYLLABLES)

MAX_TERMS = 64
"""At most this many distinct words of a text count: the title's, then the body's most
repeated (a 10,000-character body has hundreds); the rarest of them find the candidates."""

NEAR_EQUAL = 0.05
"""Scores within 5 % of the best of their group are near-equal: answered petitions first."""

FIELD_PREFERENCE = 1.25
"""A petition of the field asked for (`fieldCode`) scores this much more."""

_BM25_K1 = 1.2
_BM25_B = 0.75
_TOKEN = re.compile(r"\w+")


def is_stop_syllable(word: str) -> bool:
    """Whether `word` (one syllable, any case, accented or not) is a stop syllable."""
    written = normalize(word).lower()
    if written in STOP_SYLLABLES:
        return True
    folded = fold(written)
    return folded == written and folded in FOLDED_STOP_SYLLABLES


def _content_words(text: str) -> list[str]:
    """The folded words of `text` without its stop syllables, in order, repeats kept."""
    words: list[str] = []
    for token in _TOKEN.findall(normalize(text).lower()):
        folded = fold(token).split()
        plain = folded == [token]
        if token in STOP_SYLLABLES:
            continue
        words.extend(w for w in folded if not (plain and w in FOLDED_STOP_SYLLABLES))
    return words


def similarity_terms(title: str, body: str | None = None) -> list[str]:
    """The words a text is compared by: folded, stop syllables dropped, each once; the
    title's in order first, then the body's by how often it repeats them (then in order);
    at most `MAX_TERMS`. Empty when the text has no such word."""
    terms = list(dict.fromkeys(_content_words(title)))
    if body:
        counts = Counter(_content_words(body))  # in order of first appearance
        seen = set(terms)
        terms.extend(w for w in sorted(counts, key=lambda w: -counts[w]) if w not in seen)
    return terms[:MAX_TERMS]


def inverse_document_frequency(document_frequency: float, documents: int) -> float:
    """BM25's idf: never negative, larger for rarer words."""
    n = max(documents, 1)
    df = min(max(document_frequency, 0.0), n)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class Document:
    """A candidate's folded text as BM25 reads it: how often each word occurs, how many."""

    counts: Mapping[str, int]
    length: int

    @classmethod
    def of(cls, folded: str) -> Document:
        words = folded.split()
        return cls(Counter(words), len(words))


def bm25(
    terms: Sequence[str], weights: Mapping[str, float], document: Document, average_length: float
) -> float:
    """The BM25 score of a `document` against `terms`, each weighted by `weights` (its
    idf; a term without a weight counts nothing)."""
    if not document.length:
        return 0.0
    norm = _BM25_K1 * (1 - _BM25_B + _BM25_B * document.length / max(average_length, 1.0))
    score = 0.0
    counts = document.counts
    for term in terms:
        tf = counts.get(term, 0)
        if tf:
            score += weights.get(term, 0.0) * tf * (_BM25_K1 + 1) / (tf + norm)
    return score


@dataclass(frozen=True)
class Scored:
    """A candidate petition and what orders it."""

    petition_id: int
    score: float
    answered: bool


def rank(candidates: Iterable[Scored], limit: int) -> list[int]:
    """The ids of the `limit` best candidates, best first.

    Candidates with no score (no word in common) are left out. Highest score first; a
    group is the best remaining candidate and every other scoring within `NEAR_EQUAL` of
    it, and inside a group answered petitions come first, then the higher score, then the
    newer petition (the larger id)."""
    remaining = sorted(
        (c for c in candidates if c.score > 0), key=lambda c: (-c.score, -c.petition_id)
    )
    ordered: list[int] = []
    while remaining and len(ordered) < limit:
        floor = remaining[0].score * (1 - NEAR_EQUAL)
        group = [c for c in remaining if c.score >= floor]
        remaining = remaining[len(group) :]
        group.sort(key=lambda c: (not c.answered, -c.score, -c.petition_id))
        ordered.extend(c.petition_id for c in group)
    return ordered[:limit]
