"""Compiled queries (`schema.fastpath`) answer byte for byte what graphql-core's execution
answers, on both databases: the same documents and variables go to a server with the
compiled path and to one without it, over real HTTP, and the bodies must be equal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.settings import Settings
from tests.support.server import RunningServer, compiled_answers
from tests.support.workflow import Tokens, make_tokens

W1 = """query W1 { petitions(first: 50, filter: {statuses: [ANSWERED, CLOSED]},
  orderBy: {field: ANSWERED_AT, direction: DESC}) { edges { node {
    trackingCode title status answeredAt
    agency { code name } field { code name }
    latestAnswer { body answeredAt } rating { score } } } } }"""

EVERY_FIELD = """
  __typename id trackingCode channel kind subject title body isPrivate provinceCode status
  submittedAt acceptedAt deadlineAt answeredAt responseWorkingDays answeredOnTime
  followUpCount escalatedAt featuredAt featuredNote version isOverdue urgeCount overdueCount
  agency { __typename id code name nameEn kind provinceCode }
  field { __typename code name nameEn }
  rating { __typename score comment ratedAt }
  latestAnswer { __typename id body answeredAt signature keyId }
"""

PAGE = (
    """query Page($first: Int, $after: String, $last: Int, $before: String,
    $filter: PetitionFilter, $orderBy: PetitionOrder) {
  __typename
  list: petitions(first: $first, after: $after, last: $last, before: $before,
                  filter: $filter, orderBy: $orderBy) {
    __typename totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor node { """
    + EVERY_FIELD
    + """ } }
    nodes { trackingCode ref: id } } }"""
)

NOT_COMPILED = [
    "{ petitions(first: 3) { edges { node { ...F } } } } fragment F on Petition { title }",
    "{ petitions(first: 3) { edges { node { title @include(if: true) } } } }",
    "{ petitions(first: 3) { edges { node { events(first: 2) { totalCount } } } } }",
    "{ petitions(first: 3) { edges { node { workingDaysElapsed answers { body } } } } }",
    "{ agencies { code } petitions(first: 2) { totalCount } }",
    "{ petitions(first: 3) { edges { node { agency { code } agency { name } } } } }",
    '{ petition(trackingCode: "PAKN-2026-000001") { events(first: 2) { totalCount } } }',
    '{ petition(trackingCode: "PAKN-2026-000001") { events { edges { node { agency { code } } } } '
    "} }",
    '{ petition(trackingCode: "PAKN-2026-000001") { a: events { nodes { id } } '
    "b: events { nodes { at } } } }",
]


@pytest.fixture(scope="module")
def general_server(demo_database: str) -> Iterator[RunningServer]:
    settings = Settings(database_url=demo_database, feed_poll_seconds=3600, compiled_queries=False)
    with RunningServer(settings) as server:
        yield server


@pytest.fixture(scope="module")
def compiled_server(demo_server: RunningServer) -> RunningServer:
    """The session's demo server: it has the compiled path, as every server by default."""
    return demo_server


def same_answer(
    compiled: RunningServer,
    general: RunningServer,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    compiles: bool = True,
) -> bytes:
    """Ask both servers; the compiled one three times: it learns the document from the
    first, builds the page's statement on the second, takes it from its cache on the
    third. The bodies and content types must be equal; return the body."""
    expected = general.post(query, variables)
    compiled.post(query, variables)
    before = compiled_answers(compiled)
    for _ in range(2):
        answer = compiled.post(query, variables)
        assert answer.status_code == expected.status_code
        assert answer.headers["content-type"] == expected.headers["content-type"]
        assert answer.content == expected.content
    assert compiled_answers(compiled) == before + (2 if compiles else 0)
    return answer.content


def test_w1_is_compiled_and_identical(
    compiled_server: RunningServer, general_server: RunningServer
) -> None:
    body = same_answer(compiled_server, general_server, W1)
    assert body.startswith(b'{"data":{"petitions":{"edges":[{"node":{"trackingCode":')


def test_a_search_page_and_its_count_take_one_statement_until_a_cursor(
    compiled_server: RunningServer, general_server: RunningServer
) -> None:
    """The first page's rows and totalCount read the matches once; a page after a cursor
    sees only part of them and counts them apart, with the same answers."""
    first = {"first": 3, "filter": {"search": "dat dai"}}
    compiled_server.post(PAGE, first)
    compiled_server.log.clear()
    same_answer(compiled_server, general_server, PAGE, first)
    assert len(compiled_server.log.statements) == 3  # one per request: three requests
    cursor = general_server.gql(PAGE, first)["list"]["pageInfo"]["endCursor"]
    after = {**first, "after": cursor}
    compiled_server.post(PAGE, after)
    compiled_server.log.clear()
    same_answer(compiled_server, general_server, PAGE, after)
    assert len(compiled_server.log.statements) == 6


def test_w1_takes_one_statement(compiled_server: RunningServer) -> None:
    compiled_server.post(W1)
    compiled_server.log.clear()
    compiled_server.post(W1)
    assert len(compiled_server.log.statements) == 1


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 100},
        {"first": 7, "orderBy": {"field": "DEADLINE_AT", "direction": "ASC"}},
        {"last": 5, "orderBy": {"field": "ANSWERED_AT", "direction": "DESC"}},
        {"first": 20, "filter": {"statuses": ["SUBMITTED"]}},
        {"first": 20, "filter": {"agencyCodes": ["BTC", "UBND-01"], "overdue": True}},
        {"first": 20, "filter": {"fieldCodes": ["DAT_DAI"], "provinceCodes": ["01", "79"]}},
        {"first": 20, "filter": {"channel": "BUSINESS", "kind": "RECOMMENDATION"}},
        {"first": 20, "filter": {"search": "thu tuc dat dai"}},
        {"last": 5, "filter": {"search": "dat dai", "fieldCodes": ["DAT_DAI"]}},
        {"first": 5, "filter": {"search": "khongcotu"}},
        {"first": 20, "filter": {"submittedFrom": "2026-01-01", "submittedTo": "2026-06-30"}},
    ],
)
def test_every_field_every_argument(
    compiled_server: RunningServer, general_server: RunningServer, variables: dict[str, Any]
) -> None:
    same_answer(compiled_server, general_server, PAGE, variables)


@pytest.mark.parametrize(
    ("order", "size"), [("SUBMITTED_AT", 17), ("ANSWERED_AT", 30), ("DEADLINE_AT", 40)]
)
def test_paging_both_ways_with_cursors(
    compiled_server: RunningServer, general_server: RunningServer, order: str, size: int
) -> None:
    ordering = {"field": order, "direction": "DESC"}
    first = general_server.gql(PAGE, {"first": size, "orderBy": ordering})["list"]["pageInfo"]
    forward = {"first": size, "after": first["endCursor"], "orderBy": ordering}
    same_answer(compiled_server, general_server, PAGE, forward)
    second = general_server.gql(PAGE, forward)["list"]["pageInfo"]
    backward = {"last": size, "before": second["startCursor"], "orderBy": ordering}
    same_answer(compiled_server, general_server, PAGE, backward)


@pytest.mark.parametrize("query", NOT_COMPILED)
def test_other_documents_keep_the_general_path(
    compiled_server: RunningServer, general_server: RunningServer, query: str
) -> None:
    same_answer(compiled_server, general_server, query, compiles=False)


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 500}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"first": 5, "after": "not-a-cursor"}, "INVALID_CURSOR"),
        ({"first": 5, "last": 5}, "INVALID_PAGINATION"),
        ({"first": "five"}, "BAD_USER_INPUT"),
        ({"first": 5, "filter": {"statuses": ["LOST"]}}, "BAD_USER_INPUT"),
        ({"first": 3, "filter": {"agencyCodes": ["NOPE"]}}, "UNKNOWN_CODE"),
    ],
)
def test_refusals_come_from_the_general_path(
    compiled_server: RunningServer,
    general_server: RunningServer,
    variables: dict[str, Any],
    code: str,
) -> None:
    compiled_server.post(PAGE, {"first": 1})
    before = compiled_answers(compiled_server)
    assert compiled_server.error_codes(PAGE, variables) == [code]
    assert general_server.error_codes(PAGE, variables) == [code]
    assert compiled_answers(compiled_server) == before


def test_officers_take_the_general_path(compiled_server: RunningServer, demo_database: str) -> None:
    import asyncio

    tokens: Tokens = asyncio.run(make_tokens(demo_database))
    headers = {"authorization": f"Bearer {tokens.coordinator}"}
    query = "{ petitions(first: 100) { edges { node { title isPrivate } } } }"
    compiled_server.post(query)
    before = compiled_answers(compiled_server)
    private = [
        edge["node"]
        for edge in compiled_server.post(query, headers=headers).json()["data"]["petitions"][
            "edges"
        ]
        if edge["node"]["isPrivate"]
    ]
    assert compiled_answers(compiled_server) == before
    assert private and all(node["title"] for node in private)


SCALARS = [
    "id",
    "trackingCode",
    "title",
    "body",
    "status",
    "isPrivate",
    "submittedAt",
    "deadlineAt",
    "answeredAt",
    "isOverdue",
    "responseWorkingDays",
    "followUpCount",
    "urgeCount",
    "overdueCount",
    "__typename",
]
RELATIONS = {
    "agency": ["code", "name", "kind", "id"],
    "field": ["code", "nameEn"],
    "rating": ["score", "comment"],
    "latestAnswer": ["body", "keyId", "answeredAt"],
}


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    names = draw(st.lists(st.sampled_from(SCALARS), min_size=1, max_size=6, unique=True))
    fields = [f"a{i}: {name}" if draw(st.booleans()) else name for i, name in enumerate(names)]
    for relation in draw(st.lists(st.sampled_from(sorted(RELATIONS)), max_size=4, unique=True)):
        inner = draw(st.lists(st.sampled_from(RELATIONS[relation]), min_size=1, unique=True))
        fields.append(f"{relation} {{ {' '.join(inner)} }}")
    query = (
        "query($n: Int, $f: PetitionFilter, $o: PetitionOrder) { petitions(first: $n, "
        "filter: $f, orderBy: $o) { edges { node { " + " ".join(fields) + " } } } }"
    )
    statuses = st.lists(
        st.sampled_from(["SUBMITTED", "ASSIGNED", "IN_PROGRESS", "ANSWERED", "CLOSED"]),
        min_size=1,
        max_size=3,
        unique=True,
    )
    variables = {
        "n": draw(st.integers(1, 100)),
        "f": draw(st.one_of(st.none(), statuses.map(lambda s: {"statuses": s}))),
        "o": draw(
            st.fixed_dictionaries(
                {
                    "field": st.sampled_from(["SUBMITTED_AT", "ANSWERED_AT", "DEADLINE_AT"]),
                    "direction": st.sampled_from(["ASC", "DESC"]),
                }
            )
        ),
    }
    return query, variables


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=documents())
def test_generated_documents_are_identical(
    compiled_server: RunningServer,
    general_server: RunningServer,
    document: tuple[str, dict[str, Any]],
) -> None:
    query, variables = document
    same_answer(compiled_server, general_server, query, variables)


W3 = """query W3($code: String!) { petition(trackingCode: $code) {
  trackingCode title status deadlineAt isOverdue agency { code name }
  events(first: 50) { edges { node { action fromStatus toStatus at note } } } } }"""

ONE = (
    """query One($code: String!, $first: Int, $after: String) {
  __typename
  it: petition(trackingCode: $code) { """
    + EVERY_FIELD
    + """
    events(first: $first, after: $after) {
      __typename
      pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
      edges { __typename cursor node { __typename id action fromStatus toStatus at
                                       actorRole note cursor } }
      nodes { id action } } } }"""
)


def _codes(server: RunningServer, count: int) -> list[str]:
    query = "{ petitions(first: 100) { edges { node { trackingCode isPrivate } } } }"
    nodes = [e["node"] for e in server.gql(query)["petitions"]["edges"]]
    private = [n["trackingCode"] for n in nodes if n["isPrivate"]]
    return [n["trackingCode"] for n in nodes[:count]] + private[:2]


def test_w3_is_compiled_and_identical(
    compiled_server: RunningServer, general_server: RunningServer
) -> None:
    for code in _codes(general_server, 5):
        body = same_answer(compiled_server, general_server, W3, {"code": code})
        assert body.startswith(b'{"data":{"petition":{"trackingCode":')


def test_w3_takes_two_statements(
    compiled_server: RunningServer, general_server: RunningServer
) -> None:
    variables = {"code": _codes(general_server, 1)[0]}
    compiled_server.post(W3, variables)
    before = compiled_answers(compiled_server)
    compiled_server.log.clear()
    compiled_server.post(W3, variables)
    assert compiled_answers(compiled_server) == before + 1
    assert len(compiled_server.log.statements) == 2


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 100},
        {"first": 2},
        {"first": 1, "after": None},
        {"code": "  pakn-2026-000001 "},
        {"code": "PAKN-1900-000000"},
        {"code": ""},
    ],
)
def test_one_petition_every_field_and_events_page(
    compiled_server: RunningServer, general_server: RunningServer, variables: dict[str, Any]
) -> None:
    for code in _codes(general_server, 2):
        same_answer(compiled_server, general_server, ONE, {"code": code, **variables})


def test_events_paged_with_cursors(
    compiled_server: RunningServer, general_server: RunningServer
) -> None:
    for code in _codes(general_server, 3):
        after = None
        while True:
            variables = {"code": code, "first": 2, "after": after}
            same_answer(compiled_server, general_server, ONE, variables)
            info = general_server.gql(ONE, variables)["it"]["events"]["pageInfo"]
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 500}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"first": 5, "after": "not-a-cursor"}, "INVALID_CURSOR"),
        ({"first": 0}, "PAGE_SIZE_OUT_OF_RANGE"),
    ],
)
def test_event_page_refusals_come_from_the_general_path(
    compiled_server: RunningServer,
    general_server: RunningServer,
    variables: dict[str, Any],
    code: str,
) -> None:
    petition = {"code": _codes(general_server, 1)[0]}
    compiled_server.post(ONE, petition)
    before = compiled_answers(compiled_server)
    assert compiled_server.error_codes(ONE, {**petition, **variables}) == [code]
    assert general_server.error_codes(ONE, {**petition, **variables}) == [code]
    assert compiled_answers(compiled_server) == before
