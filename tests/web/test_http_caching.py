"""HTTP semantics of the public record: ETag and 304, Cache-Control, compression, HEAD,
JSON bodies for every HTTP refusal, and secrets kept out of URLs."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
import httpx
import pytest

from tests.support.server import RunningServer
from tests.support.workflow import Workflow

PAGE = "{ petitions(first: 20) { edges { node { trackingCode title status } } } }"
SMALL = '{ agency(code: "BTC") { code } }'


def raw_get(server: RunningServer, query: str, **headers: str) -> httpx.Response:
    """A GET whose body stays as sent (httpx would decode the content encoding)."""
    request = server.client.build_request(
        "GET",
        "/graphql",
        params={"query": query},
        headers={"Accept-Encoding": "identity", **headers},
    )
    return server.client.send(request, stream=True)


def body_of(response: httpx.Response) -> bytes:
    data = b"".join(response.iter_raw())
    encoding = response.headers.get("content-encoding")
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    return data


def test_an_anonymous_get_is_publicly_cacheable_with_a_strong_etag(
    demo_server: RunningServer,
) -> None:
    response = raw_get(demo_server, PAGE)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=10"
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
    assert {"authorization", "accept-encoding"} <= vary
    assert raw_get(demo_server, PAGE).headers["etag"] == etag


def test_if_none_match_answers_304_without_a_body(demo_server: RunningServer) -> None:
    etag = raw_get(demo_server, PAGE).headers["etag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        response = raw_get(demo_server, PAGE, **{"If-None-Match": header})
        assert response.status_code == 304, header
        assert b"".join(response.iter_raw()) == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == "public, max-age=10"
    assert raw_get(demo_server, PAGE, **{"If-None-Match": '"stale"'}).status_code == 200


@pytest.mark.parametrize(("accept", "encoding"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_each_content_encoding_has_its_own_strong_etag(
    demo_server: RunningServer, accept: str, encoding: str
) -> None:
    plain = raw_get(demo_server, PAGE)
    packed = raw_get(demo_server, PAGE, **{"Accept-Encoding": accept})
    assert packed.headers["content-encoding"] == encoding
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + f'-{encoding}"'
    assert body_of(packed) == body_of(plain)
    assert int(packed.headers["content-length"]) < int(plain.headers["content-length"])
    again = raw_get(
        demo_server, PAGE, **{"Accept-Encoding": accept, "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304
    other = raw_get(demo_server, PAGE, **{"If-None-Match": packed.headers["etag"]})
    assert other.status_code == 200, "the identity body is other bytes"


def test_small_responses_are_not_compressed(demo_server: RunningServer) -> None:
    response = raw_get(demo_server, SMALL, **{"Accept-Encoding": "br, gzip"})
    assert len(body_of(response)) < 512
    assert "content-encoding" not in response.headers


def test_exports_stream_compressed(demo_server: RunningServer) -> None:
    request = demo_server.client.build_request(
        "GET", "/export/petitions.ndjson", headers={"Accept-Encoding": "gzip"}
    )
    response = demo_server.client.send(request, stream=True)
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    lines = gzip.decompress(b"".join(response.iter_raw())).splitlines()
    assert len(lines) > 100


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "json": {"query": PAGE}},
        {"method": "GET", "params": {"query": PAGE}, "headers": {"Authorization": "Bearer x"}},
        {"method": "GET", "params": {"query": "{ petitions(first: 500) { totalCount } }"}},
    ],
    ids=["post", "bad-token", "errors"],
)
def test_everything_else_is_private_and_not_stored(
    demo_server: RunningServer, request_kwargs: dict[str, Any]
) -> None:
    response = demo_server.client.request(url="/graphql", **request_kwargs)
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/graphql?query={fields{code}}",
        f"/graphql?query={PAGE}",
        "/health",
        "/export/stats.csv",
        "/export/datapackage.json",
        "/export/petitions.csv",
    ],
)
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_head_answers_what_get_does_without_a_body(
    demo_server: RunningServer, path: str, encoding: str
) -> None:
    headers = {"Accept-Encoding": encoding}
    get = demo_server.client.send(demo_server.client.build_request("GET", path, headers=headers))
    head = demo_server.client.head(path, headers=headers)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "content-encoding", "etag", "vary"):
        assert head.headers.get(name) == get.headers.get(name), name
    assert head.headers.get("cache-control") == get.headers.get("cache-control")


def test_a_304_repeats_the_vary_of_its_200(demo_server: RunningServer) -> None:
    for path in ("/export/datapackage.json", f"/graphql?query={PAGE}"):
        first = demo_server.client.get(path)
        again = demo_server.client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
        assert "accept-encoding" in again.headers["vary"].lower(), path


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("PUT", "/graphql", 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", "/health", 405, "METHOD_NOT_ALLOWED"),
        ("POST", "/export/petitions.csv", 405, "METHOD_NOT_ALLOWED"),
        ("GET", "/no/such/path", 404, "NOT_FOUND"),
    ],
)
def test_http_refusals_use_the_json_error_shape(
    demo_server: RunningServer, method: str, path: str, status: int, code: str
) -> None:
    response = demo_server.client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == code
    if status == 405:
        assert "GET" in response.headers["allow"]


def test_unsupported_media_type_and_oversized_bodies_are_json(demo_server: RunningServer) -> None:
    text = demo_server.client.post(
        "/graphql", content=b"{ fields { code } }", headers={"Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    assert text.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    big = demo_server.client.post(
        "/graphql", content=b"x" * (1 << 20), headers={"Content-Type": "application/json"}
    )
    assert big.status_code == 413
    assert big.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_an_operation_with_a_secret_is_refused_over_get(demo_server: RunningServer) -> None:
    query = '{ petitionForPetitioner(trackingCode: "PAKN-2026-000001", secret: "s") { status } }'
    refused = demo_server.client.get("/graphql", params={"query": query})
    assert refused.json()["errors"][0]["extensions"]["code"] == "SECRET_OVER_GET"
    assert refused.headers["cache-control"] == "private, no-store"
    posted = demo_server.client.post("/graphql", json={"query": query})
    assert posted.json() == {"data": {"petitionForPetitioner": None}}


def test_mutations_are_refused_over_get(demo_server: RunningServer) -> None:
    mutation = (
        'mutation { rateAnswer(input: {trackingCode: "X", secret: "s", score: 5}) '
        "{ userErrors { code } } }"
    )
    response = demo_server.client.get("/graphql", params={"query": mutation})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "GET" in response.json()["errors"][0]["message"]


def test_an_officers_get_is_private(workflow: Workflow) -> None:
    response = workflow.server.client.get(
        "/graphql",
        params={"query": "{ fields { code } }"},
        headers={"Authorization": f"Bearer {workflow.tokens.coordinator}"},
    )
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


@pytest.mark.parametrize("body", [b'"hello"', b"null", b"5", b"true"])
def test_a_body_that_is_not_an_object_is_a_bad_request(
    demo_server: RunningServer, body: bytes
) -> None:
    response = demo_server.client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
