"""The exported columns are written once (`app.services.export_columns`) and the database
row layout once (the labels of `db.queries.export.batch_statement`); the row encoders read
that layout by position, so the two must agree."""

from __future__ import annotations

from app.services.export_columns import COLUMNS
from db.queries import export as export_queries


def test_row_layout_is_the_export_columns_plus_the_keyset_id() -> None:
    computed = {"is_overdue"}  # worked out at the moment of the export, not stored
    stored = tuple(name for name in COLUMNS if name not in computed)
    assert export_queries.COLUMNS == (*stored, "id")
