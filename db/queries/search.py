"""Diacritics- and case-insensitive full-text search, one function for both databases.

Both sides see folded text (`app.text.fold`): `petitions.search_text` holds the folded
title and body of public petitions, and the query is folded the same way. Every word of
the query must start a word of the petition (AND of prefixes). SQLite answers from an
FTS5 index, PostgreSQL from a GIN index on `to_tsvector('simple', search_text)`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, column, func, literal_column, select, table

from db.models import Petition

_fts = table("petition_search", column("rowid"))


def _fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def _tsquery(terms: list[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def matches_search(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    """A condition on `petitions` that holds when its public text contains every term.

    `terms` must be folded words (lower-case ASCII letters and digits only).
    """
    if dialect == "sqlite":
        matching = select(_fts.c.rowid).where(
            literal_column("petition_search").op("MATCH")(_fts5_query(terms))
        )
        return Petition.id.in_(matching)
    vector = func.to_tsvector(literal_column("'simple'"), Petition.search_text)
    return vector.op("@@")(func.to_tsquery(literal_column("'simple'"), _tsquery(terms)))
