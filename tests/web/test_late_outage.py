"""A session that fails as it closes, after the GraphQL view has already answered inside
its block (REQUEST_TIMEOUT, an HTTP refusal, a persisted query's error), ends the request
with a warning, not a second `http.response.start` (#14, point 6, the review's follow-up);
before anything was sent the same error is still the 503.

The real view of a real application; its `_respond` is replaced by one that answers and
then fails as the session close would, since no database can be made to fail at that
instant on demand."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.main import create_app, starlette_app
from app.settings import Settings
from app.web.guard import send_error
from tests.support.databases import prepared_database


@pytest.fixture
def view(tmp_path: Path) -> Iterator[Any]:
    with prepared_database("sqlite", tmp_path) as url:
        yield starlette_app(create_app(Settings(database_url=url))).state.graphql


def _request(view: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [], "state": {}}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(view(scope, receive, send))
    return messages


def _lost() -> ConnectionResetError:
    return ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")


def test_an_outage_after_the_answer_sends_nothing_more(
    view: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def answered_then_lost(_scope: Any, _receive: Any, send: Any, request_id: str) -> None:
        await send_error(send, 400, "BAD_REQUEST", "No.", request_id, id_header=False)
        raise _lost()

    monkeypatch.setattr(view, "_respond", answered_then_lost)
    with caplog.at_level(logging.WARNING, "pakn.graphql"):
        messages = _request(view)
    starts = [m for m in messages if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [400]
    assert "after the response was sent" in caplog.text


def test_an_outage_before_any_answer_is_still_a_503(
    view: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def lost(*_args: Any) -> None:
        raise _lost()

    monkeypatch.setattr(view, "_respond", lost)
    starts = [m for m in _request(view) if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [503]
