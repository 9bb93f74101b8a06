"""Inputs from the security review that gave a 500 now get a coded refusal (issue 13,
point 3, the cases fixed so far): filter times outside 2000-2199, a cursor whose value does
not fit its order, an agency search of 200,000 characters, a subscription sent over HTTP,
and an export with such a time (refused before its first byte).

Then each of the review's cases in full, on SQLite and PostgreSQL: JSON bodies that are no
operation, every DateTime (and Date) input, cursors with a boolean id or an impossible time
in every order, the search written into the document, a subscription over GET, and every
export."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import graphql
import orjson
import pytest

from tests.support.server import RunningServer
from tests.support.workflow import Workflow, bearer, submission

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"

COUNT = "query($filter: PetitionFilter) { petitions(first: 1, filter: $filter) { totalCount } }"


def _codes(server: RunningServer, query: str, variables: dict[str, object]) -> list[str]:
    return [error["extensions"]["code"] for error in server.errors(query, variables)]


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1999-12-31T23:59:59+07:00"],
)
@pytest.mark.parametrize("bound", ["submittedFrom", "submittedTo"])
def test_filter_times_outside_the_supported_years_are_refused(
    demo_server: RunningServer, bound: str, moment: str
) -> None:
    assert _codes(demo_server, COUNT, {"filter": {bound: moment}}) == ["INVALID_DATE_RANGE"]


def test_filter_times_inside_the_supported_years_still_work(demo_server: RunningServer) -> None:
    data = demo_server.gql(COUNT, {"filter": {"submittedFrom": "2000-01-01T00:00:00+07:00"}})
    assert data["petitions"]["totalCount"] > 0


def _cursor(payload: list[object]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


@pytest.mark.parametrize("value", [None, True, 5, "not a time"])
def test_a_cursor_whose_value_does_not_fit_its_order_is_refused(
    demo_server: RunningServer, value: object
) -> None:
    query = "query($after: String) { petitions(first: 1, after: $after) { totalCount } }"
    after = _cursor(["SUBMITTED_AT:DESC", value, 5])
    assert _codes(demo_server, query, {"after": after}) == ["INVALID_CURSOR"]


def test_an_oversized_agency_search_is_refused(demo_server: RunningServer) -> None:
    query = "query($search: String) { agencies(search: $search) { totalCount } }"
    assert _codes(demo_server, query, {"search": "a" * 200_000}) == ["INVALID_SEARCH"]
    assert demo_server.gql(query, {"search": "tài chính"})["agencies"]["totalCount"] >= 1


def test_a_subscription_over_http_is_refused(demo_server: RunningServer) -> None:
    response = demo_server.post("subscription { petitionEvents { action } }")
    assert response.status_code < 500
    codes = [error["extensions"]["code"] for error in response.json()["errors"]]
    assert codes == ["BAD_REQUEST"]


def test_an_export_with_a_time_outside_the_supported_years_is_refused_before_its_body(
    demo_server: RunningServer,
) -> None:
    response = demo_server.client.get(
        "/export/petitions.csv", params={"submittedFrom": "0001-01-01T00:00:00+14:00"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_DATE_RANGE"


# --- the rest of the review's cases (issue 13, point 3) --------------------


@pytest.mark.parametrize(
    "body", [b'"hello"', b"null", b"5", b"-1.5e300", b"true", b"[1, 2]", b'["x"]', b"[null]"]
)
def test_a_json_body_that_is_not_an_operation_is_refused(
    demo_server: RunningServer, body: bytes
) -> None:
    """A JSON value that is not an object (a string, null, a number, a boolean, an array
    of non-objects) is no GraphQL request: 400 BAD_REQUEST, in the usual error shape."""
    response = demo_server.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert response.headers.get_list("x-request-id") == [error["extensions"]["requestId"]]


AGENCY_COUNT = (
    'query($filter: PetitionFilter) { agency(code: "BTC") '
    "{ petitions(first: 1, filter: $filter) { totalCount } } }"
)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("bound", ["submittedFrom", "submittedTo"])
def test_every_datetime_input_refuses_times_outside_the_supported_years(
    demo_server: RunningServer, bound: str, moment: str
) -> None:
    """The schema's DateTime inputs are the PetitionFilter's two bounds, which
    Query.petitions and Agency.petitions take: as variables and as literals alike."""
    assert _codes(demo_server, AGENCY_COUNT, {"filter": {bound: moment}}) == ["INVALID_DATE_RANGE"]
    literal = f'{{{bound}: "{moment}"}}'
    for query in (
        COUNT.replace("query($filter: PetitionFilter) ", "").replace("$filter", literal),
        AGENCY_COUNT.replace("query($filter: PetitionFilter) ", "").replace("$filter", literal),
    ):
        assert _codes(demo_server, query, {}) == ["INVALID_DATE_RANGE"], query


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    "query",
    [
        "query($d: Date) { stats(filter: {from: $d}) { totals { received } } }",
        "query($d: Date) { stats(filter: {to: $d}) { totals { received } } }",
        "query($d: Date) { agencyRanking(metric: ON_TIME_RATE, from: $d) { ranked { rank } } }",
        "query($d: Date) { agencyRanking(metric: ON_TIME_RATE, to: $d) { ranked { rank } } }",
        'query($d: Date) { agency(code: "BTC") { scorecard(from: $d) { received } } }',
        'query($d: Date) { agency(code: "BTC") { scorecard(to: $d) { received } } }',
    ],
)
def test_every_date_input_refuses_days_outside_the_supported_years(
    demo_server: RunningServer, query: str, day: str
) -> None:
    """The Date inputs too (StatsFilter, agencyRanking, Agency.scorecard), where the same
    overflow would come from a local day turned into UTC."""
    assert _codes(demo_server, query, {"d": day}) == ["INVALID_DATE_RANGE"]


def _datetime_inputs() -> set[str]:
    """Every place of the committed SDL where a DateTime enters: input fields and
    arguments, by name."""
    sdl = graphql.build_schema(SDL.read_text())
    found: set[str] = set()
    for type_name, named in sdl.type_map.items():
        if type_name.startswith("__"):
            continue
        if isinstance(named, graphql.GraphQLInputObjectType):
            for name, input_field in named.fields.items():
                if graphql.get_named_type(input_field.type).name == "DateTime":
                    found.add(f"{type_name}.{name}")
        elif isinstance(named, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
            for field_name, output in named.fields.items():
                for name, argument in output.args.items():
                    if graphql.get_named_type(argument.type).name == "DateTime":
                        found.add(f"{type_name}.{field_name}({name})")
    return found


RECORD = """mutation($input: RecordPetitionInput!) { recordPetition(input: $input) {
  userErrors { code } } }"""


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_received_at_refuses_times_outside_the_supported_years(
    workflow: Workflow, moment: str
) -> None:
    """RecordPetitionInput.receivedAt (#18): a coded refusal, never a 500, however far
    from now (and its offset) the time lies."""
    input = {**submission(), "intakeChannel": "LETTER", "receivedAt": moment}
    response = workflow.server.client.post(
        "/graphql",
        json={"query": RECORD, "variables": {"input": input}},
        headers=bearer(workflow.tokens.coordinator),
    )
    assert response.status_code == 200, response.text
    errors = response.json()["data"]["recordPetition"]["userErrors"]
    assert [error["code"] for error in errors] == ["INVALID_RECEIVED_AT"]


def test_the_datetime_inputs_tested_here_are_all_there_are() -> None:
    """A new DateTime input must get its case above."""
    assert _datetime_inputs() == {
        "PetitionFilter.submittedFrom",
        "PetitionFilter.submittedTo",
        "RecordPetitionInput.receivedAt",
    }


CURSOR_ORDERS = ["SUBMITTED_AT:DESC", "SUBMITTED_AT:ASC", "ANSWERED_AT:DESC", "DEADLINE_AT:ASC"]
PAGE_AFTER = (
    "query($after: String, $order: PetitionOrder) "
    "{ petitions(first: 1, after: $after, orderBy: $order) { totalCount } }"
)
PAGE_BEFORE = (
    "query($after: String, $order: PetitionOrder) "
    "{ petitions(last: 1, before: $after, orderBy: $order) { totalCount } }"
)
AGENCY_PAGE_AFTER = (
    'query($after: String) { agency(code: "BTC") '
    "{ petitions(first: 1, after: $after) { totalCount } } }"
)


def _order(name: str) -> dict[str, str]:
    field, direction = name.split(":")
    return {"field": field, "direction": direction}


A_TIME = "2024-01-01T00:00:00+07:00"


def _cursor_cases() -> list[Any]:
    cases = []
    for order in CURSOR_ORDERS:
        for value, ident in (
            (A_TIME, None),
            (A_TIME, False),
            (A_TIME, 1.5),
            (A_TIME, "5"),
            (A_TIME, True),
            (None, True),
            ("0001-01-01T00:00:00+14:00", 5),
            ("9999-12-31T23:59:59-14:00", 5),
        ):
            name = f"{order}-{value}-{ident!r}"
            cases.append(pytest.param(order, value, ident, id=name))
    return cases


@pytest.mark.parametrize(("order", "value", "ident"), _cursor_cases())
def test_a_cursor_whose_id_or_time_does_not_fit_is_refused(
    demo_server: RunningServer, order: str, value: object, ident: object
) -> None:
    """The review's `["SUBMITTED_AT:DESC", null, 5]` and `[..., true]`: a cursor's id that
    is not a whole number, and a time no petition can have, in every order, forward and
    backward, and on an agency's petitions (which take no orderBy: a cursor of another
    order is refused there by its name)."""
    after = _cursor([order, value, ident])
    variables = {"after": after, "order": _order(order)}
    problems = {
        name: codes
        for name, query, given in (
            ("after", PAGE_AFTER, variables),
            ("before", PAGE_BEFORE, variables),
            ("agency", AGENCY_PAGE_AFTER, {"after": after}),
        )
        if (codes := _codes(demo_server, query, given)) != ["INVALID_CURSOR"]
    }
    assert problems == {}


def test_an_oversized_agency_search_written_into_the_document_is_refused(
    demo_server: RunningServer,
) -> None:
    query = '{ agencies(search: "%s") { totalCount } }' % ("tài chính " * 20_000)
    assert _codes(demo_server, query, {}) == ["INVALID_SEARCH"]


@pytest.mark.parametrize(
    "params",
    [
        {"query": "subscription { petitionEvents { action } }"},
        {
            "query": "query Q { fields { code } } subscription S { petitionEvents { action } }",
            "operationName": "S",
        },
    ],
)
def test_a_subscription_over_get_is_refused(
    demo_server: RunningServer, params: dict[str, str]
) -> None:
    response = demo_server.client.get("/graphql", params=params)
    assert response.status_code < 500, response.text
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_REQUEST"]


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("bound", ["submittedFrom", "submittedTo"])
def test_every_petition_export_refuses_such_a_time_before_its_first_byte(
    demo_server: RunningServer, fmt: str, bound: str, moment: str
) -> None:
    """A 400 with a whole JSON body: no 200 then a body cut short. HEAD alike."""
    for method in ("GET", "HEAD"):
        path = f"/export/petitions.{fmt}"
        with demo_server.client.stream(method, path, params={bound: moment}) as response:
            body = response.read()
        assert response.status_code == 400, body
        assert "content-disposition" not in response.headers
        if method == "GET":
            (error,) = orjson.loads(body)["errors"]
            assert error["extensions"] == {"code": "INVALID_DATE_RANGE", "argument": bound}


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/export/stats.csv", {"from": "0001-01-01"}, "INVALID_DATE_RANGE"),
        ("/export/stats.csv", {"to": "9999-12-31"}, "INVALID_DATE_RANGE"),
        ("/export/stats.csv", {"submittedFrom": "0001-01-01T00:00:00+14:00"}, "BAD_REQUEST"),
        (
            "/export/datapackage.json",
            {"submittedFrom": "0001-01-01T00:00:00+14:00"},
            "INVALID_DATE_RANGE",
        ),
    ],
)
def test_the_statistics_export_and_the_descriptor_refuse_such_dates_before_their_body(
    demo_server: RunningServer, path: str, params: dict[str, str], code: str
) -> None:
    """stats.csv takes local days (`from`, `to`), not the petitions' times: a time is an
    unknown parameter there."""
    with demo_server.client.stream("GET", path, params=params) as response:
        body = response.read()
    assert response.status_code == 400, body
    assert "content-disposition" not in response.headers
    assert [e["extensions"]["code"] for e in orjson.loads(body)["errors"]] == [code]
