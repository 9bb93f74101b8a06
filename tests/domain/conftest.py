"""`app.domain` is pure, and so are its tests: none may ask for a database or a server.

Every database fixture stands on `backend` (SQLite or PostgreSQL), so a test here that
asks for one, however indirectly, is refused at collection; and a test module here may
import nothing of pakn outside `app.domain` (`test_purity.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents and "backend" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(
                f"{item.nodeid} asks for a database: a pure app.domain test must not"
            )
