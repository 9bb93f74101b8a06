"""Bad input gets a clear error with a stable code, never a 500 or a stack trace."""

from __future__ import annotations

import pytest

from tests.support.server import RunningServer


def _deep_query(levels: int) -> str:
    inner = "code"
    for _ in range(levels):
        inner = f"agency {{ petitions(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"
    return f"{{ petitions(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ petitions(first: 0) { totalCount } }", None, "PAGE_SIZE_OUT_OF_RANGE"),
        ("{ petitions(first: 101) { totalCount } }", None, "PAGE_SIZE_OUT_OF_RANGE"),
        ("{ petitions(last: 1000) { totalCount } }", None, "PAGE_SIZE_OUT_OF_RANGE"),
        ("{ petitions(first: 2, last: 2) { totalCount } }", None, "INVALID_PAGINATION"),
        ('{ petitions(first: 2, after: "nope") { totalCount } }', None, "INVALID_CURSOR"),
        ('{ petitions(last: 2, before: "YWdlbmN5OjE") { totalCount } }', None, "INVALID_CURSOR"),
        ('{ agencies(after: "%%%") { totalCount } }', None, "INVALID_CURSOR"),
        ('{ node(id: "not-an-id") { id } }', None, "INVALID_ID"),
        ('{ node(id: "UGV0aXRpb246MA") { id } }', None, "INVALID_ID"),
        ('{ node(id: "UGV0aXRpb246MTA5OTUxMTYyNzc3Ng") { id } }', None, "INVALID_ID"),
        (
            '{ petitions(after: "WyJTVUJNSVRURURfQVQ6REVTQyIsIjIwMjQtMDEtMDFUMDA6MDA6'
            'MDArMDc6MDAiLDEwOTk1MTE2Mjc3NzZd") { totalCount } }',
            None,
            "INVALID_CURSOR",
        ),
        ('{ petitions(filter: {agencyCodes: ["XYZ"]}) { totalCount } }', None, "UNKNOWN_CODE"),
        ('{ petitions(filter: {fieldCodes: ["XYZ"]}) { totalCount } }', None, "UNKNOWN_CODE"),
        ('{ petitions(filter: {provinceCodes: ["99"]}) { totalCount } }', None, "UNKNOWN_CODE"),
        ('{ petitions(filter: {search: "!!!"}) { totalCount } }', None, "INVALID_SEARCH"),
        (
            '{ petitions(filter: {submittedFrom: "2026-01-02T00:00:00+07:00", '
            'submittedTo: "2025-01-01T00:00:00+07:00"}) { totalCount } }',
            None,
            "INVALID_DATE_RANGE",
        ),
        ("{ petitions(first: 1) { nope } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("{ petitions(first: 1) { totalCount ", None, "GRAPHQL_PARSE_FAILED"),
        ("query($n: Int) { petitions(first: $n) { totalCount } }", {"n": "ten"}, "BAD_USER_INPUT"),
        ("query($n: Int) { petitions(first: $n) { totalCount } }", {"n": 2**40}, "BAD_USER_INPUT"),
        (_deep_query(30), None, "QUERY_TOO_DEEP"),
        (
            "{ " + " ".join(f"a{i}: fields {{ code }}" for i in range(60)) + " }",
            None,
            "TOO_MANY_ALIASES",
        ),
        ("{ fields { " + "code " * 5000 + "} }", None, "TOO_MANY_TOKENS"),
    ],
)
def test_refused_with_a_stable_code(
    demo_server: RunningServer, query: str, variables: dict[str, object] | None, code: str
) -> None:
    errors = demo_server.errors(query, variables)
    assert code in [e["extensions"]["code"] for e in errors], errors
    for error in errors:
        assert "Traceback" not in error["message"]
        assert error["message"]


def test_unknown_node_of_a_valid_shape_is_null(demo_server: RunningServer) -> None:
    from resolvers.ids import global_id

    data = demo_server.gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": global_id("Petition", 10**8)}
    )
    assert data == {"node": None}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "BAD_REQUEST"),
        (b'{"query": "{ fields { code } }"\xff}', "application/json", 400, "BAD_REQUEST"),
        (b'"\\ud800"', "application/json", 400, "BAD_REQUEST"),
        (b"[]", "application/json", 400, "BAD_REQUEST"),
        (b"{}", "application/json", 400, "BAD_REQUEST"),
        (b"query=x", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
def test_malformed_http_bodies(
    demo_server: RunningServer, body: bytes, content_type: str, status: int, code: str
) -> None:
    response = demo_server.client.post(
        "/graphql", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert response.headers["x-request-id"]


def test_oversized_body_is_refused_before_parsing(demo_server: RunningServer) -> None:
    padding = "x" * (300 * 1024)
    response = demo_server.client.post(
        "/graphql", json={"query": "{ fields { code } }", "variables": {"pad": padding}}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_mutations_are_not_served_over_get(demo_server: RunningServer) -> None:
    response = demo_server.client.get(
        "/graphql", params={"query": "mutation { x }"}, headers={"accept": "application/json"}
    )
    assert response.status_code in {400, 405}
    assert response.json()["errors"][0]["extensions"]["code"]


def test_queries_work_over_get(demo_server: RunningServer) -> None:
    response = demo_server.client.get(
        "/graphql", params={"query": "{ fields { code } }"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["fields"]) >= 20


def test_unknown_path_is_a_json_404(demo_server: RunningServer) -> None:
    response = demo_server.client.get("/nope")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_health(demo_server: RunningServer) -> None:
    response = demo_server.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_graphiql_on_browser_get(demo_server: RunningServer) -> None:
    response = demo_server.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


SIBLINGS_AT_WORK = """query Siblings($code: String!) { petition(trackingCode: $code) {
  answers { body } latestAnswer { body } rating { score } agency { name } field { name }
  events(first: 0) { edges { node { action } } } } }"""


def test_a_failing_field_beside_fields_reading_the_database_is_no_500(
    demo_server: RunningServer,
) -> None:
    """graphql-core cancels the siblings of a field that fails; their statements must not
    be cut off mid-flight, which left the connection busy and the response a 500."""
    query = "{ petitions(first: 30) { edges { node { trackingCode } } } }"
    codes = [e["node"]["trackingCode"] for e in demo_server.gql(query)["petitions"]["edges"]]
    for code in codes:
        response = demo_server.post(SIBLINGS_AT_WORK, {"code": code})
        assert response.status_code == 200
        errors = response.json()["errors"]
        assert [e["extensions"]["code"] for e in errors] == ["PAGE_SIZE_OUT_OF_RANGE"]
    assert "errors" not in demo_server.post(query).json()
