"""Automatic persisted queries in Apollo's protocol, over POST and GET, shared by workers."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from app.settings import Settings
from db.engine import open_engine
from db.models import PersistedQuery
from tests.support.cli import pakn_serve
from tests.support.server import RunningServer, compiled_answers

FIELDS = "query Fields { fields { code name } }"
PETITIONS = (
    "query Page($first: Int) { petitions(first: $first) { totalCount "
    "edges { cursor node { trackingCode status agency { code } } } } }"
)


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(document)}}


def post(server: RunningServer, body: dict[str, Any]) -> Any:
    return server.client.post("/graphql", json=body)


def get(server: RunningServer, document: str, variables: dict[str, Any] | None = None) -> Any:
    params = {"extensions": orjson.dumps(persisted(document)).decode()}
    if variables is not None:
        params["variables"] = orjson.dumps(variables).decode()
    return server.client.get("/graphql", params=params, headers={"Accept": "text/html, */*"})


def codes(response: Any) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


@pytest.fixture
def server(empty_database: str) -> Iterator[RunningServer]:
    with RunningServer(Settings(database_url=empty_database)) as running:
        yield running


def test_an_unknown_hash_asks_for_the_document_as_apollo_expects(server: RunningServer) -> None:
    response = post(server, {"extensions": persisted(FIELDS)})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert response.headers["cache-control"] == "private, no-store"


def test_a_hash_only_get_is_an_api_call_not_the_graphiql_page(server: RunningServer) -> None:
    response = get(server, FIELDS)
    assert response.headers["content-type"].startswith("application/json")
    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_a_registered_hash_answers_over_post_and_get(server: RunningServer) -> None:
    registered = post(server, {"query": FIELDS, "extensions": persisted(FIELDS)})
    assert registered.status_code == 200 and "errors" not in registered.json()
    by_post = post(server, {"extensions": persisted(FIELDS)})
    by_get = get(server, FIELDS)
    assert by_post.json() == by_get.json() == registered.json()
    assert by_get.headers["cache-control"].startswith("public, max-age=")
    assert by_get.headers["etag"].startswith('"')


def test_a_hash_that_is_not_the_documents_is_refused(server: RunningServer) -> None:
    response = post(server, {"query": FIELDS, "extensions": persisted(FIELDS + " ")})
    assert response.status_code == 400
    assert codes(response) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert codes(post(server, {"extensions": persisted(FIELDS + " ")})) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]


@pytest.mark.parametrize(
    ("extensions", "code"),
    [
        (
            {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
            "PERSISTED_QUERY_NOT_SUPPORTED",
        ),
        ({"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}, "BAD_REQUEST"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "A" * 64}}, "BAD_REQUEST"),
        ({"persistedQuery": {"version": 1}}, "BAD_REQUEST"),
        ({"persistedQuery": "sha"}, "PERSISTED_QUERY_NOT_SUPPORTED"),
        ({"persistedQuery": None}, "PERSISTED_QUERY_NOT_SUPPORTED"),
        (5, "BAD_REQUEST"),
        (True, "BAD_REQUEST"),
    ],
)
def test_malformed_persisted_query_extensions_get_clear_codes(
    server: RunningServer, extensions: Any, code: str
) -> None:
    response = post(server, {"extensions": extensions})
    assert response.status_code == 400
    assert codes(response) == [code]
    response = post(server, {"query": FIELDS, "extensions": extensions})
    assert response.status_code == 400
    assert codes(response) == [code]


def test_a_document_that_does_not_validate_is_not_registered(server: RunningServer) -> None:
    invalid = "{ noSuchField }"
    response = post(server, {"query": invalid, "extensions": persisted(invalid)})
    assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert codes(post(server, {"extensions": persisted(invalid)})) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    ("document", "method", "code"),
    [
        (
            "{ " + " ".join(f"a{i}: fields {{ code }}" for i in range(40)) + " }",
            "POST",
            "TOO_MANY_ALIASES",
        ),
        (
            'mutation { rateAnswer(input: {trackingCode: "X", secret: "s", score: 5}) '
            "{ userErrors { code } } }",
            "GET",
            "BAD_REQUEST",
        ),
    ],
    ids=["over-a-limit", "mutation-by-get"],
)
def test_a_document_refused_when_it_runs_is_not_registered(
    server: RunningServer, document: str, method: str, code: str
) -> None:
    """Registration waits for a run without errors, so every limit has held first."""
    request: dict[str, Any] = {"query": document, "extensions": persisted(document)}
    if method == "GET":
        params = {"query": document, "extensions": orjson.dumps(persisted(document)).decode()}
        response = server.client.get("/graphql", params=params)
    else:
        response = post(server, request)
    assert codes(response) == [code]
    assert codes(post(server, {"extensions": persisted(document)})) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_unknown_hashes_keep_nothing_of_their_requests_alive(server: RunningServer) -> None:
    """A refusal raised anew each time: one shared exception object would grow a
    traceback holding every request's frames (and its Request) for good."""

    def live_requests() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if type(o).__name__ == "Request")

    for n in range(5):
        post(server, {"extensions": persisted(_document(1000 + n))})
    before = live_requests()
    for n in range(60):
        post(server, {"extensions": persisted(_document(n))})
    assert live_requests() - before < 10


def test_an_oversized_document_is_refused_before_it_is_read(empty_database: str) -> None:
    settings = Settings(database_url=empty_database, max_body_bytes=2048)
    with RunningServer(settings) as server:
        document = "query Big { fields { code } }" + " " * 4096
        response = post(server, {"query": document, "extensions": persisted(document)})
        assert response.status_code == 413
        assert codes(response) == ["REQUEST_TOO_LARGE"]


def test_a_hash_registered_on_one_worker_answers_on_another(empty_database: str) -> None:
    settings = Settings(database_url=empty_database)
    with RunningServer(settings) as one, RunningServer(settings) as two:
        assert codes(post(two, {"extensions": persisted(FIELDS)})) == ["PERSISTED_QUERY_NOT_FOUND"]
        post(one, {"query": FIELDS, "extensions": persisted(FIELDS)})
        response = get(two, FIELDS)
        assert response.status_code == 200
        assert response.json()["data"]["fields"]


async def _stored(url: str) -> tuple[int, int]:
    async with open_engine(url) as engine, engine.connect() as connection:
        row = (
            await connection.execute(
                select(func.count(), func.coalesce(func.sum(PersistedQuery.size), 0))
            )
        ).one()
        return int(row[0]), int(row[1])


def _document(n: int) -> str:
    return f"query Q{n} {{ fields {{ code }} }}"


@pytest.mark.parametrize(
    ("limits", "kept"),
    [({"persisted_queries_max": 3}, 3), ({"persisted_queries_max_bytes": 100}, 3)],
    ids=["by-count", "by-bytes"],
)
def test_the_store_is_bounded_and_forgets_the_oldest(
    empty_database: str, limits: dict[str, int], kept: int
) -> None:
    settings = Settings(database_url=empty_database, **limits)
    with RunningServer(settings) as first:
        for n in range(6):
            post(first, {"query": _document(n), "extensions": persisted(_document(n))})
    count, held = asyncio.run(_stored(empty_database))
    assert count == kept
    assert held <= settings.persisted_queries_max_bytes
    with RunningServer(settings) as fresh:  # nothing of the store in its memory
        assert codes(post(fresh, {"extensions": persisted(_document(0))})) == [
            "PERSISTED_QUERY_NOT_FOUND"
        ]
        newest = post(fresh, {"extensions": persisted(_document(5))})
        assert newest.json()["data"]["fields"]


def test_a_registered_hash_goes_to_the_compiled_path(demo_server: RunningServer) -> None:
    variables = {"first": 5}
    whole = post(
        demo_server,
        {"query": PETITIONS, "variables": variables, "extensions": persisted(PETITIONS)},
    )
    assert "errors" not in whole.json()
    learnt = post(demo_server, {"variables": variables, "extensions": persisted(PETITIONS)})
    before = compiled_answers(demo_server)
    by_post = post(demo_server, {"variables": variables, "extensions": persisted(PETITIONS)})
    by_get = get(demo_server, PETITIONS, variables)
    assert compiled_answers(demo_server) == before + 2
    assert by_post.content == by_get.content == learnt.content == whole.content


def test_two_pakn_serve_processes_share_registered_hashes(lifecycle_database: str) -> None:
    """Two processes (two hosts, as far as memory goes) over one database: a hash
    registered through one answers on the other, whose memory never saw it."""
    with pakn_serve(lifecycle_database) as one, pakn_serve(lifecycle_database) as two:
        document = f"query Shared{time.time_ns()} {{ fields {{ code }} }}"
        unknown = httpx.post(f"{two}/graphql", json={"extensions": persisted(document)})
        assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
        registered = httpx.post(
            f"{one}/graphql", json={"query": document, "extensions": persisted(document)}
        )
        assert "errors" not in registered.json()
        params = {"extensions": orjson.dumps(persisted(document)).decode()}
        assert httpx.get(f"{two}/graphql", params=params).json() == registered.json()


def test_pakn_serve_with_two_workers_answers_every_registered_hash(
    pakn_serve_two_workers: str,
) -> None:
    url = pakn_serve_two_workers + "/graphql"
    registered = httpx.post(url, json={"query": FIELDS, "extensions": persisted(FIELDS)})
    assert "errors" not in registered.json()
    params = {"extensions": orjson.dumps(persisted(FIELDS)).decode()}
    for _ in range(12):
        with httpx.Client() as fresh:
            assert fresh.get(url, params=params).json() == registered.json()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"extensions": "not json"}, "BAD_REQUEST"),
        ({"extensions": "[]"}, "BAD_REQUEST"),
        ({"extensions": '"sha"'}, "BAD_REQUEST"),
        ({"extensions": '{"persistedQuery": 5}'}, "PERSISTED_QUERY_NOT_SUPPORTED"),
        ({"extensions": "null"}, "BAD_REQUEST"),
        ({"extensions": "5"}, "BAD_REQUEST"),
        ({"extensions": "true", "query": FIELDS}, "BAD_REQUEST"),
        ({"query": FIELDS, "variables": "not json"}, "BAD_REQUEST"),
        (
            {"query": FIELDS, "extensions": orjson.dumps(persisted(FIELDS + "#")).decode()},
            "PERSISTED_QUERY_HASH_MISMATCH",
        ),
    ],
)
def test_malformed_gets_get_clear_codes(
    server: RunningServer, params: dict[str, str], code: str
) -> None:
    response = server.client.get("/graphql", params=params, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert codes(response) == [code]
