"""The exported columns are written once (`app.services.export_columns`) and the database
row layout once (the labels of `db.queries.export.batch_statement`); the row encoders read
that layout by position, so the two must agree."""

from __future__ import annotations

import ast
import inspect
import textwrap

from app.services import export
from app.services.export_columns import COLUMNS, STATS_COLUMNS
from db.queries import export as export_queries


def test_row_layout_is_the_export_columns_plus_the_keyset_id() -> None:
    computed = {"is_overdue"}  # worked out at the moment of the export, not stored
    stored = tuple(name for name in COLUMNS if name not in computed)
    assert export_queries.COLUMNS == (*stored, "id")


def test_the_csv_encoder_unpacks_the_row_layout_in_order() -> None:
    """`csv_lines` names the row's values by unpacking them (the fastest way in Python);
    the names must be the layout's, in its order (`_id` for the keyset id)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(export.csv_lines)))
    unpacked = next(
        node.targets[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Tuple)
        and isinstance(node.value, ast.Name)
        and node.value.id == "row"
    )
    names = tuple(element.id for element in unpacked.elts)  # type: ignore[attr-defined]
    assert names == (*export_queries.COLUMNS[:-1], "_id")


def test_the_rating_counts_close_the_statistics_columns() -> None:
    """`stats_csv` writes the named figures, then the five rating counts, then the figures
    #15 added at the end (readers by position keep working)."""
    added = ("urged", "overdue_ever")
    assert STATS_COLUMNS[-2:] == added
    assert STATS_COLUMNS[-7:-2] == tuple(f"rating_{score}" for score in range(1, 6))
    assert not any(name.startswith("rating_") for name in STATS_COLUMNS[:-7])
