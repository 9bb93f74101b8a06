"""Diacritics- and case-insensitive full-text search, one function for both databases.

Both sides see folded text (`app.domain.text.fold`): `petitions.search_text` holds the folded
title and body of public petitions, and the query is folded the same way
(`app.domain.text.petition_search_terms`). Every term must match: a word matches a whole word,
a word ending in `*` every word it starts. SQLite answers from an FTS5 index, PostgreSQL
from a GIN index on `to_tsvector('simple', search_text)`, where a whole word is an exact
index entry and a prefix a range of entries, ten times slower at a million petitions.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, column, func, literal_column, select, table

from app.domain.text import PREFIX
from db.models import Petition

_fts = table("petition_search", column("rowid"))


def _fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term[:-1]}"*' if term.endswith(PREFIX) else f'"{term}"' for term in terms)


def _tsquery(terms: list[str]) -> str:
    return " & ".join(f"{term[:-1]}:*" if term.endswith(PREFIX) else term for term in terms)


def matches_search(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    """A condition on `petitions` that holds when its public text contains every term.

    `terms` must be folded words (lower-case ASCII letters and digits only), each perhaps
    ending in `*`.
    """
    if dialect == "sqlite":
        matching = select(_fts.c.rowid).where(
            literal_column("petition_search").op("MATCH")(_fts5_query(terms))
        )
        return Petition.id.in_(matching)
    vector = func.to_tsvector(literal_column("'simple'"), Petition.search_text)
    return vector.op("@@")(func.to_tsquery(literal_column("'simple'"), _tsquery(terms)))
