"""The exports' HTTP caching: weak ETags made of the filter, the format, the newest event
and the local date; `Cache-Control: public, max-age`; `If-None-Match` answered 304 before
any row is read; HEAD with the same headers.

Each database test runs on SQLite and PostgreSQL against a real server.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import orjson
import pytest

from app.settings import Settings
from app.web import export_routes
from app.web.etag import (
    MAX_IF_NONE_MATCH_BYTES,
    MAX_IF_NONE_MATCH_TAGS,
    IfNoneMatchError,
    if_none_match,
    weak_etag,
)
from tests.support.server import RunningServer
from tests.support.workflow import Workflow

MAX_AGE = f"public, max-age={Settings().cache_seconds}"


def _get(server: RunningServer, path: str, **headers: str) -> httpx.Response:
    return server.client.get(path, headers=headers)


def test_same_filter_same_etag_and_cache_control(demo_server: RunningServer) -> None:
    first = _get(demo_server, "/export/petitions.csv?statuses=CLOSED,ANSWERED&agencyCodes=BTC")
    again = _get(
        demo_server, "/export/petitions.csv?agencyCodes=BTC&statuses=answered&statuses=closed"
    )
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and etag.endswith('"')
    assert again.headers["etag"] == etag
    assert first.headers["cache-control"] == again.headers["cache-control"] == MAX_AGE
    others = {
        "/export/petitions.csv?statuses=CLOSED",
        "/export/petitions.ndjson?statuses=CLOSED,ANSWERED&agencyCodes=BTC",
        "/export/petitions.csv?statuses=CLOSED,ANSWERED&agencyCodes=BTC&bom=false",
        "/export/petitions.csv",
        "/export/stats.csv",
        "/export/stats.csv?agencyCodes=BTC",
        "/export/stats.csv?from=2026-01-01",
        "/export/datapackage.json",
        "/export/datapackage.json?agencyCodes=BTC",
    }
    tags = {path: _get(demo_server, path).headers["etag"] for path in others}
    assert len(set(tags.values()) | {etag}) == len(others) + 1, tags


@pytest.mark.parametrize(
    "path",
    [
        "/export/petitions.csv?statuses=CLOSED",
        "/export/petitions.ndjson",
        "/export/stats.csv?channel=citizen",
        "/export/datapackage.json?provinceCodes=01",
    ],
)
def test_if_none_match_answers_304_reading_no_rows(demo_server: RunningServer, path: str) -> None:
    full = _get(demo_server, path)
    assert full.status_code == 200 and full.content
    etag = full.headers["etag"]
    for header in (etag, etag.removeprefix("W/"), f'"other", {etag}', '"a,b" , , ' + etag, "*"):
        demo_server.log.clear()
        response = _get(demo_server, path, **{"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == MAX_AGE
        assert "content-disposition" not in response.headers
        statements = demo_server.log.statements
        assert len(statements) == 1 and "petition_events" in statements[0], statements
    stale = _get(demo_server, path, **{"If-None-Match": 'W/"0123456789abcdef"'})
    assert stale.status_code == 200 and stale.content == full.content

    demo_server.log.clear()
    head = demo_server.client.head(path)
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "cache-control", "content-type", "content-disposition"):
        assert head.headers.get(name) == full.headers.get(name), name
    if "petitions." in path:  # a HEAD of the petition export streams, reading no row
        assert not [s for s in demo_server.log.statements if "tracking_code" in s]
    assert demo_server.client.head(path, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    "header",
    [
        "not-a-tag",
        'W/"x" W/"y"',
        '"unterminated',
        '"x", *',
        '"' + "a" * MAX_IF_NONE_MATCH_BYTES + '"',
        ", ".join(f'"{n}"' for n in range(MAX_IF_NONE_MATCH_TAGS + 1)),
    ],
)
def test_a_bad_if_none_match_is_refused(demo_server: RunningServer, header: str) -> None:
    response = _get(demo_server, "/export/petitions.csv", **{"If-None-Match": header})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    errors = orjson.loads(response.content)["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_REQUEST"]
    assert errors[0]["extensions"]["header"] == "If-None-Match"


def test_a_new_event_changes_the_etag(workflow: Workflow) -> None:
    path = "/export/petitions.csv?provinceCodes=79"  # a filter the new petition misses
    before = _get(workflow.server, path).headers["etag"]
    assert _get(workflow.server, path).headers["etag"] == before
    stats_before = _get(workflow.server, "/export/stats.csv").headers["etag"]
    workflow.submit(provinceCode="01")
    after = _get(workflow.server, path)
    assert after.headers["etag"] != before
    assert _get(workflow.server, path, **{"If-None-Match": before}).status_code == 200
    assert (
        _get(workflow.server, path, **{"If-None-Match": after.headers["etag"]}).status_code == 304
    )
    assert _get(workflow.server, "/export/stats.csv").headers["etag"] != stats_before


def test_the_local_date_changes_the_etag(
    demo_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = _get(demo_server, "/export/petitions.csv?statuses=CLOSED").headers["etag"]
    real = export_routes.current_time
    monkeypatch.setattr(export_routes, "current_time", lambda: real() + timedelta(days=1))
    tomorrow = _get(demo_server, "/export/petitions.csv?statuses=CLOSED")
    assert tomorrow.headers["etag"] != today
    refreshed = _get(
        demo_server, "/export/petitions.csv?statuses=CLOSED", **{"If-None-Match": today}
    )
    assert refreshed.status_code == 200


# --- units, no database ----------------------------------------------------


def test_if_none_match_compares_weakly() -> None:
    etag = weak_etag(["a", "b"])
    assert etag != weak_etag(["a", "c"]) and etag != weak_etag(["ab"])
    opaque = etag.removeprefix("W/")
    assert not if_none_match(None, etag)
    assert not if_none_match("", etag) and not if_none_match(" , ", etag)
    assert if_none_match("*", etag) and if_none_match(" * ", etag)
    assert if_none_match(etag, etag) and if_none_match(opaque, etag)
    assert if_none_match(f'W/"x",{opaque}', etag)
    assert not if_none_match('"x", W/"y"', etag)
    for bad in ("x", '"x" "y"', "W/x", '"x', '"x",*', '"' + "x" * MAX_IF_NONE_MATCH_BYTES + '"'):
        with pytest.raises(IfNoneMatchError):
            if_none_match(bad, etag)
