"""Inputs from the security review that gave a 500 now get a coded refusal (issue 13,
point 3, the cases fixed so far): filter times outside 2000-2199, a cursor whose value does
not fit its order, an agency search of 200,000 characters, a subscription sent over HTTP,
and an export with such a time (refused before its first byte)."""

from __future__ import annotations

import base64

import orjson
import pytest

from tests.support.server import RunningServer

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
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode()


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
