"""Similar petitions: the public petitions most like a text, found through the search index.

No index of its own: SQLite's FTS5 table `petition_search` and PostgreSQL's GIN index on
`to_tsvector('simple', search_text)` (`db.queries.search`) find the candidates, and
`app.domain.similarity` scores them. Private petitions have an empty `search_text`, so
the index never returns them, and the candidates are read with `NOT is_private` as well.

Ranking every petition that shares any word with the text is unbounded: a common word
matches most of a million petitions, and ranking in SQL (FTS5's bm25(), ts_rank) reads
every match. The work is bounded instead, for any number of petitions:

1. **Rarity** (one statement; the largest id stands for the number of petitions): how
   many petitions contain each of the text's words (at most
   `app.domain.similarity.MAX_TERMS`). SQLite reads at most `PROBE` index entries
   a word, oldest first (FTS5 reads a word's entries backwards only by loading them
   all): fewer are the exact count, `PROBE` of them spread over the oldest ids estimate
   it from their density. PostgreSQL takes the frequency ANALYZE
   keeps for the index's common lexemes (`pg_stats.most_common_elem_freqs`), and counts
   the other, rare words exactly, at most `PG_PROBE` each (a rare word's posting list is
   short, but each match counted may read a table page). Words no petition has are dropped.
2. **Candidates** (one or two statements): only the text's rarest words look for
   candidates, each look-up an AND of some of them that reads at most `PER_LOOKUP`
   petitions. An index answers an AND by walking its words' postings together, skipping
   ahead on the rarest, so a look-up costs about what its words' postings add up to:
   each look-up takes the rarest words while their frequencies add up to
   `LOOKUP_BUDGET`, and the look-ups of one text stop at `TEXT_BUDGET`. First, at once,
   the `DEEPER` (8) rarest words together (a near-copy has them all) and every set of
   all of them but one (one word swapped or missing); then, while fewer than `ENOUGH`
   are found, every set of all but one of the `RAREST` (5) rarest, their pairs among the
   three rarest, and the rarest alone.
3. **Scores** (one statement): the `RESCORED` candidates known to contain the most (and
   rarest) of those words are read (the first `SCORED_TEXT` characters of `search_text`,
   answered or not, field) and scored by BM25 over all the text's words
   (`app.domain.similarity.bm25`).

So a text costs at most four statements and reads at most about `TEXT_BUDGET` index
entries and 18 look-ups of `PER_LOOKUP` rows, whatever the number of petitions; and
`find_similar` answers many texts (a page of petitions' `similar`) in the same four
statements. A petition that shares none of the text's rarest words is never found,
however many common words it shares; and where thousands of petitions share the rarest
words (the demo data's templates), the few read by a look-up are any of them: that is
the price of the bound.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.similarity import (
    FIELD_PREFERENCE,
    Document,
    Scored,
    bm25,
    inverse_document_frequency,
    rank,
)

PROBE = 200
PG_PROBE = 50
RAREST = 5
PER_LOOKUP = 30
ENOUGH = 20
RESCORED = 40
SCORED_TEXT = 3_000
"""A candidate is scored by the first 3,000 characters of its folded text (a body may
hold 10,000)."""
DEEPER = 8
LOOKUP_BUDGET = 200_000
"""The index entries (the words' frequencies added up) one look-up may read, but for its
rarest word's."""
TEXT_BUDGET = 800_000
"""The index entries all the look-ups of one text may read, but for its first."""


@dataclass(frozen=True)
class SimilarRequest:
    """One text to find similar petitions for."""

    terms: tuple[str, ...]
    """`app.domain.similarity.similarity_terms` of the text."""
    limit: int
    exclude_id: int | None = None
    """The petition the text is (it is not similar to itself)."""
    field_id: int | None = None
    """Petitions of this field are preferred (`FIELD_PREFERENCE`)."""
    indexed: bool = False
    """The text is `exclude_id`'s, in the index: each of its words is found there once more
    than in the others (a word only it has finds nothing)."""


@dataclass(frozen=True)
class _Round:
    lookups: list[tuple[str, ...]]
    when: str
    """"always", or "short": only while fewer than `ENOUGH` are found."""


def _within(words: Sequence[str], frequency: dict[str, float]) -> list[str]:
    """The first of `words` (rarest first) whose frequencies add up to `LOOKUP_BUDGET`,
    at least one."""
    taken: list[str] = []
    spent = 0.0
    for word in words:
        if taken and spent + frequency[word] > LOOKUP_BUDGET:
            break
        taken.append(word)
        spent += frequency[word]
    return taken


def _all_but_one(words: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(w for j, w in enumerate(words) if j != i) for i in range(len(words))]


def _rounds(ordered: Sequence[str], frequency: dict[str, float]) -> list[_Round]:
    """The look-ups of each round; `ordered` holds the text's words, rarest first."""
    deeper = _within(ordered[:DEEPER], frequency)
    rarest = _within(ordered[:RAREST], frequency)
    first = [tuple(deeper), *(_all_but_one(deeper) if len(deeper) >= 3 else [])]
    loose = [*_all_but_one(rarest), *itertools.combinations(rarest[:3], 2), (rarest[0],)]
    loose = [words for words in dict.fromkeys(loose) if words and words not in first]
    rounds = [_Round(list(dict.fromkeys(first)), "always")]
    if loose:
        rounds.append(_Round(loose, "short"))
    return rounds


def _match_query(dialect: str, words: Sequence[str]) -> str:
    if dialect == "sqlite":
        return " AND ".join(f'"{word}"' for word in words)
    return " & ".join(words)


_SQLITE_FREQUENCIES = text(
    """
    SELECT j.key,
           (SELECT count(*) || ',' || coalesce(max(id), 0) FROM (
               SELECT rowid AS id FROM petition_search WHERE petition_search MATCH j.value
               LIMIT :probe
           )),
           (SELECT coalesce(max(id), 0) FROM petitions)
    FROM json_each(:queries) AS j
    """
)


async def _frequencies_sqlite(
    session: AsyncSession, words: Sequence[str]
) -> tuple[dict[str, float], int]:
    queries = json.dumps([_match_query("sqlite", [word]) for word in words])
    found: dict[str, float] = {}
    documents = 0
    for index, probed, documents in await session.execute(
        _SQLITE_FREQUENCIES, {"queries": queries, "probe": PROBE}
    ):
        n, last = (int(part) for part in probed.split(","))
        if n < PROBE:
            found[words[index]] = float(n)
        else:  # PROBE matches among the ids up to `last`: that density throughout
            found[words[index]] = PROBE * documents / max(last, PROBE)
    return found, documents


_PG_FREQUENCIES = text(
    """
    WITH stats AS (
        SELECT s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS freqs
        FROM pg_stats AS s
        WHERE s.schemaname = current_schema() AND s.tablename = 'ix_petitions_search'
    ), common AS (
        SELECT u.word, u.freq FROM stats, unnest(stats.words, stats.freqs) AS u(word, freq)
        WHERE u.word = ANY(:words)
    )
    SELECT w.word, c.freq,
           CASE WHEN c.freq IS NULL THEN (
               SELECT count(*) FROM (
                   SELECT 1 FROM petitions
                   WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', w.word)
                   LIMIT :probe
               ) AS rare
           ) END AS n,
           (SELECT freqs[cardinality(words) + 1] FROM stats) AS floor,
           (SELECT coalesce(max(id), 0) FROM petitions) AS documents
    FROM unnest(CAST(:words AS text[])) AS w(word)
    LEFT JOIN common AS c ON c.word = w.word
    """
).bindparams(bindparam("words"), bindparam("probe"))
"""ANALYZE keeps, for the index's tsvector, its most common lexemes with the share of rows
holding each, then the least of those shares (`floor`). A word not among them is rarer
than `floor`: counted up to `PG_PROBE` (each match may read a table page)."""


async def _frequencies_postgresql(
    session: AsyncSession, words: Sequence[str]
) -> tuple[dict[str, float], int]:
    rows = await session.execute(_PG_FREQUENCIES, {"words": list(words), "probe": PG_PROBE})
    found: dict[str, float] = {}
    documents = 0
    for word, freq, n, floor, documents in rows:
        if freq is not None:
            found[word] = float(freq) * documents
        elif n < PG_PROBE or floor is None:
            found[word] = float(n)
        else:  # between PG_PROBE and the floor
            found[word] = max(float(PG_PROBE), float(floor) * documents / 2)
    return found, documents


_SQLITE_LOOKUPS = text(
    """
    SELECT j.key, (SELECT group_concat(id) FROM (
        SELECT rowid AS id FROM petition_search WHERE petition_search MATCH j.value
        LIMIT :limit
    ))
    FROM json_each(:queries) AS j
    """
)
_PG_LOOKUPS = text(
    """
    SELECT q.i - 1, l.id
    FROM unnest(CAST(:queries AS text[])) WITH ORDINALITY AS q(query, i)
    CROSS JOIN LATERAL (
        SELECT id FROM petitions
        WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', q.query)
        LIMIT :limit
    ) AS l
    """
).bindparams(bindparam("queries"), bindparam("limit"))


async def _lookups(
    session: AsyncSession, dialect: str, lookups: Sequence[tuple[int, tuple[str, ...]]]
) -> dict[int, list[int]]:
    """The ids each look-up (an owner, and the words it ANDs) finds, by look-up index: one
    statement, however many look-ups."""
    queries = [_match_query(dialect, words) for _owner, words in lookups]
    found: dict[int, list[int]] = {}
    if dialect == "sqlite":
        rows = await session.execute(
            _SQLITE_LOOKUPS, {"queries": json.dumps(queries), "limit": PER_LOOKUP}
        )
        for index, ids in rows:
            if ids:
                found[index] = [int(part) for part in ids.split(",")]
    else:
        rows = await session.execute(_PG_LOOKUPS, {"queries": queries, "limit": PER_LOOKUP})
        for index, petition_id in rows:
            found.setdefault(index, []).append(petition_id)
    return found


_SQLITE_CANDIDATES = text(
    f"SELECT id, substr(search_text, 1, {SCORED_TEXT}), answered_at IS NOT NULL, field_id "
    "FROM petitions "
    "WHERE id IN (SELECT value FROM json_each(:ids)) AND NOT is_private AND search_text <> ''"
)
_PG_CANDIDATES = text(
    f"SELECT id, substr(search_text, 1, {SCORED_TEXT}), answered_at IS NOT NULL, field_id "
    "FROM petitions "
    "WHERE id = ANY(CAST(:ids AS integer[])) AND NOT is_private AND search_text <> ''"
).bindparams(bindparam("ids"))


async def _candidates(
    session: AsyncSession, dialect: str, ids: Sequence[int]
) -> dict[int, tuple[str, bool, int | None]]:
    if dialect == "sqlite":
        rows = await session.execute(_SQLITE_CANDIDATES, {"ids": json.dumps(list(ids))})
    else:
        rows = await session.execute(_PG_CANDIDATES, {"ids": list(ids)})
    return {
        pid: (search_text, bool(answered), field_id)
        for pid, search_text, answered, field_id in rows
    }


@dataclass
class _Work:
    request: SimilarRequest
    rounds: list[_Round]
    matched: dict[int, set[str]]
    """Candidate id -> the words it is known to contain."""
    spent: float = 0.0
    """The index entries its look-ups have read (`TEXT_BUDGET`)."""


async def find_similar(
    session: AsyncSession, requests: Sequence[SimilarRequest]
) -> list[list[int]]:
    """For each request, the ids of the most similar public petitions, best first."""
    dialect = session.bind.dialect.name
    words = sorted({word for request in requests for word in request.terms})
    if not words:
        return [[] for _ in requests]
    if dialect == "sqlite":
        frequency, documents = await _frequencies_sqlite(session, words)
    else:
        frequency, documents = await _frequencies_postgresql(session, words)
    idf = {
        word: inverse_document_frequency(df, documents) for word, df in frequency.items() if df > 0
    }
    work: list[_Work] = []
    for request in requests:
        itself = 1.0 if request.indexed else 0.0
        present = [word for word in request.terms if frequency.get(word, 0.0) - itself > 0.5]
        ordered = sorted(present, key=lambda w: frequency[w])  # stable: the title's first
        rounds = _rounds(ordered, frequency) if ordered else []
        work.append(_Work(request, rounds, {}))
    for round_index in range(max((len(w.rounds) for w in work), default=0)):
        lookups: list[tuple[int, tuple[str, ...]]] = []
        for n, w in enumerate(work):
            if round_index >= len(w.rounds):
                continue
            this = w.rounds[round_index]
            if this.when == "always" or len(w.matched) < ENOUGH:
                for words in this.lookups:
                    cost = sum(frequency[word] for word in words)
                    if w.spent and w.spent + cost > TEXT_BUDGET:
                        break
                    w.spent += cost
                    lookups.append((n, words))
        if not lookups:
            continue
        for tag, ids in (await _lookups(session, dialect, lookups)).items():
            owner, looked_for = lookups[tag]
            w = work[owner]
            for petition_id in ids:
                if petition_id != w.request.exclude_id:
                    w.matched.setdefault(petition_id, set()).update(looked_for)
    chosen: dict[int, list[int]] = {}
    for n, w in enumerate(work):
        best = sorted(
            w.matched,
            key=lambda pid, m=w.matched: (-sum(idf[word] for word in m[pid]), -pid),  # type: ignore[misc]
        )
        chosen[n] = best[:RESCORED]
    ids = sorted({pid for pids in chosen.values() for pid in pids})
    rows = await _candidates(session, dialect, ids) if ids else {}
    documents_of = {pid: Document.of(row[0]) for pid, row in rows.items()}
    results: list[list[int]] = []
    for n, w in enumerate(work):
        found = [pid for pid in chosen[n] if pid in rows]
        if not found:
            results.append([])
            continue
        average = sum(documents_of[pid].length for pid in found) / len(found)
        scored = []
        for pid in found:
            _text, answered, field_id = rows[pid]
            score = bm25(w.request.terms, idf, documents_of[pid], average)
            if w.request.field_id is not None and field_id == w.request.field_id:
                score *= FIELD_PREFERENCE
            scored.append(Scored(pid, score, answered))
        results.append(rank(scored, w.request.limit))
    return results
