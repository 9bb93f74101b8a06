"""Keyset pagination over (sort column, id), with NULLs always sorting last.

A position in an ordering is a `SortKey`: the sort column's value (possibly None) and the
row id, which breaks ties. `after(key)` selects the rows that come strictly after `key` in
the ordering; reading backwards reverses the ordering and uses the same condition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")


@dataclass(frozen=True)
class SortKey:
    value: Any
    id: int


@dataclass(frozen=True)
class Ordering:
    column: InstrumentedAttribute[Any] | ColumnElement[Any]
    id_column: InstrumentedAttribute[int] | ColumnElement[int]
    ascending: bool
    nullable: bool

    def sort(self, rows: list[T], key: Callable[[T], int]) -> list[T]:
        """Sort rows (objects with the sort column as attribute) into this ordering."""
        name = self.column.key
        present = [row for row in rows if getattr(row, name) is not None]
        absent = [row for row in rows if getattr(row, name) is None]
        present.sort(key=lambda row: (getattr(row, name), key(row)), reverse=not self.ascending)
        absent.sort(key=key, reverse=not self.ascending)
        return present + absent

    def reversed(self) -> Ordering:
        return Ordering(self.column, self.id_column, not self.ascending, self.nullable)

    def order_by(self, *, nulls_last: bool = True) -> list[Any]:
        column = self.column.asc() if self.ascending else self.column.desc()
        ident = self.id_column.asc() if self.ascending else self.id_column.desc()
        if self.nullable:
            column = column.nulls_last() if nulls_last else column.nulls_first()
        return [column, ident]

    def _beyond(self, value: Any, ident: int) -> ColumnElement[bool]:
        if self.ascending:
            return or_(self.column > value, and_(self.column == value, self.id_column > ident))
        return or_(self.column < value, and_(self.column == value, self.id_column < ident))

    def _id_beyond(self, ident: int) -> ColumnElement[bool]:
        return self.id_column > ident if self.ascending else self.id_column < ident

    def after(self, key: SortKey, *, nulls_last: bool = True) -> ColumnElement[bool]:
        """Rows strictly after `key` when NULLs sort last (or first, reading backwards)."""
        if not self.nullable:
            return self._beyond(key.value, key.id)
        is_null = self.column.is_(None)
        not_null = self.column.is_not(None)
        if key.value is None:
            tail = and_(is_null, self._id_beyond(key.id))
            return tail if nulls_last else or_(not_null, tail)
        beyond = and_(not_null, self._beyond(key.value, key.id))
        return or_(beyond, is_null) if nulls_last else beyond
