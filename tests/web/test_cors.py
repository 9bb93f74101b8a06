"""Pages on other origins call the API: preflight, POST, GET, exports and the WebSocket."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.settings import Settings
from tests.support.server import RunningServer

OTHER_ORIGIN = "http://127.0.0.2:5173"
QUERY = "{ fields { code } }"


def preflight(server: RunningServer, origin: str, method: str = "POST") -> httpx.Response:
    return server.client.options(
        "/graphql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


@pytest.fixture(scope="module")
def restricted_server(lifecycle_database: str) -> Iterator[RunningServer]:
    spelt_loosely = OTHER_ORIGIN.upper() + "/"  # as an operator might write it
    settings = Settings(database_url=lifecycle_database, cors_origins=(spelt_loosely,))
    with RunningServer(settings) as server:
        yield server


def test_preflight_allows_any_origin_with_authorization_and_content_type(
    demo_server: RunningServer,
) -> None:
    response = preflight(demo_server, OTHER_ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


def test_cross_origin_post_get_and_export_are_readable(demo_server: RunningServer) -> None:
    headers = {"Origin": OTHER_ORIGIN}
    post = demo_server.client.post("/graphql", json={"query": QUERY}, headers=headers)
    get = demo_server.client.get("/graphql", params={"query": QUERY}, headers=headers)
    export = demo_server.client.get("/export/petitions.csv", headers=headers)
    for response in (post, get, export):
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "*"
        assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert post.json()["data"]["fields"]


def test_the_website_is_not_opened_cross_origin(demo_server: RunningServer) -> None:
    response = demo_server.client.get("/reports/2026-Q1", headers={"Origin": OTHER_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


async def test_a_websocket_from_another_origin_is_accepted(demo_server: RunningServer) -> None:
    url = demo_server.url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"], origin=OTHER_ORIGIN) as socket:  # type: ignore[list-item, arg-type]
        await socket.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
        assert orjson.loads(await socket.recv())["type"] == "connection_ack"


def test_a_restricted_list_refuses_other_origins_in_json(
    restricted_server: RunningServer,
) -> None:
    allowed = preflight(restricted_server, OTHER_ORIGIN)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == OTHER_ORIGIN
    refused = preflight(restricted_server, "http://evil.example")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "CORS_ORIGIN_NOT_ALLOWED"
    post = restricted_server.client.post(
        "/graphql", json={"query": QUERY}, headers={"Origin": "http://evil.example"}
    )
    assert "access-control-allow-origin" not in post.headers


async def test_a_restricted_list_refuses_websockets_from_other_origins(
    restricted_server: RunningServer,
) -> None:
    url = restricted_server.url.replace("http://", "ws://") + "/graphql"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            url, subprotocols=["graphql-transport-ws"], origin="http://evil.example"
        ):  # type: ignore[list-item, arg-type]
            pass
    assert refused.value.response.status_code == 403
    async with connect(url, subprotocols=["graphql-transport-ws"], origin=OTHER_ORIGIN):  # type: ignore[list-item, arg-type]
        pass


def test_an_origin_list_entry_that_is_no_origin_stops_the_server_at_start() -> None:
    from app.main import create_app

    with pytest.raises(ValueError, match="Invalid origin"):
        create_app(Settings(cors_origins=("https://pakn.gov.vn/api",)))
