"""A server of its own for each client test, on the session's lifecycle database (SQLite
and PostgreSQL), so that a test may restart it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stock_clients import Live
from tests.support.workflow import Tokens, serving_workflow


@pytest.fixture
def live(lifecycle_database: str, lifecycle_tokens: Tokens) -> Iterator[Live]:
    with serving_workflow(lifecycle_database, lifecycle_tokens, keep_alive_seconds=1) as workflow:
        yield Live(workflow.server, workflow)
