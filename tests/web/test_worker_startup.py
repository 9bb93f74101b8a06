"""What a worker does once it has started, before it serves."""

from __future__ import annotations

import gc

from tests.support.server import RunningServer


def test_a_started_worker_leaves_its_startup_objects_out_of_full_collections(
    demo_server: RunningServer,
) -> None:
    """The schema and the ORM's mappers live as long as the worker: a full garbage
    collection that walks them all would pause every request in flight (bench/README.md)."""
    assert "errors" not in demo_server.post("{ __typename }").json()
    assert gc.get_freeze_count() > 50_000
