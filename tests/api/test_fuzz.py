"""The fuzzer (issue 13, point 3): no input gives a 500.

Queries and mutations generated from the committed SDL by hypothesis-graphql, with the
plausible, boundary and hostile values of `tests.support.fuzz_values`, as literals or as
variables, sent over real HTTP to a live server of their own (`tests.support.fuzz_server`),
anonymously and with officers' tokens; half the mutations aimed at a real petition at its
current version, so that their text reaches the write; documents of the compiled path's
roots sent twice, the second time answered by it; documents that break the schema
(hypothesis-graphql's negative mode); and raw HTTP hostility (bodies that are not JSON or
not an object, wrong content types, odd GET parameters, other methods, huge variables, the
exports' and reports' routes). Each case must get no 5xx, no INTERNAL_SERVER_ERROR, a
stable code on every error, and leave nothing in the server's error log
(`tests.support.fuzz_checks`).

The cases are derandomized: every run, here and in CI, sends the same FUZZ_CASES (1,200)
per database, within the suite's 90 s a database; a failure prints the shrunk case to reproduce.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fuzz_checks import ErrorLog, check_quiet, check_response, send, watched_errors
from tests.support.fuzz_documents import invalid_requests, repeated_requests, requests
from tests.support.fuzz_http import RawRequest, raw_requests
from tests.support.fuzz_server import FuzzTarget, aims, fuzz_target

QUERY_CASES = 360
MUTATION_CASES = 260
COMPILED_CASES = 140
INVALID_CASES = 120
RAW_CASES = 380
FUZZ_CASES = QUERY_CASES + MUTATION_CASES + COMPILED_CASES + INVALID_CASES + RAW_CASES
"""Cases per database; each one HTTP request, but a compiled-path case two."""

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
    print_blob=False,
)


@pytest.fixture(scope="module")
def fuzz(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    with fuzz_target(backend, tmp_path_factory.mktemp("fuzz")) as target:
        yield target


@pytest.fixture(scope="module")
def error_log(fuzz: FuzzTarget) -> Iterator[ErrorLog]:
    with watched_errors() as log:
        yield log


def _checked(log: ErrorLog, request: object, response: httpx.Response) -> None:
    check_response(response, request)
    check_quiet(log, request)


def _sent_as_someone(
    fuzz: FuzzTarget, log: ErrorLog, data: st.DataObject, request: Any, kind: str
) -> httpx.Response:
    """`request` sent with a token drawn from those that send `kind`, and checked."""
    token = data.draw(st.sampled_from(fuzz.senders(kind)), label="token")
    response = send(fuzz.server.client, request, token)
    _checked(log, request, response)
    return response


@settings(FUZZ, max_examples=QUERY_CASES)
@given(data=st.data())
def test_generated_queries_never_give_a_500(
    fuzz: FuzzTarget, error_log: ErrorLog, data: st.DataObject
) -> None:
    request = data.draw(requests(fuzz.seeds, "query"), label="request")
    _sent_as_someone(fuzz, error_log, data, request, "query")


@settings(FUZZ, max_examples=MUTATION_CASES)
@given(data=st.data())
def test_generated_mutations_never_give_a_500(
    fuzz: FuzzTarget, error_log: ErrorLog, data: st.DataObject
) -> None:
    request = data.draw(requests(fuzz.seeds, "mutation"), label="request")
    if data.draw(st.booleans(), label="aimed"):
        request = fuzz.aimed(request, data.draw(aims(fuzz.seeds), label="aim"))
    _sent_as_someone(fuzz, error_log, data, request, "mutation")


@settings(FUZZ, max_examples=COMPILED_CASES)
@given(data=st.data())
def test_the_compiled_path_never_gives_a_500(
    fuzz: FuzzTarget, error_log: ErrorLog, data: st.DataObject
) -> None:
    """A `petitions` or `petition` document sent twice, anonymously: the second time, with
    other values, the compiled path (`schema.fastpath`) answers it when it can."""
    first, again = data.draw(repeated_requests(fuzz.seeds), label="requests")
    _checked(error_log, first, send(fuzz.server.client, first, None))
    _checked(error_log, again, send(fuzz.server.client, again, None))


@settings(FUZZ, max_examples=INVALID_CASES)
@given(data=st.data())
def test_documents_that_break_the_schema_get_coded_errors(
    fuzz: FuzzTarget, error_log: ErrorLog, data: st.DataObject
) -> None:
    request = data.draw(invalid_requests(fuzz.seeds), label="request")
    response = _sent_as_someone(fuzz, error_log, data, request, "query")
    assert response.json().get("errors"), f"{request!r} was not refused: {response.text[:500]}"


@settings(FUZZ, max_examples=RAW_CASES)
@given(data=st.data())
def test_raw_http_hostility_never_gives_a_500(
    fuzz: FuzzTarget, error_log: ErrorLog, data: st.DataObject
) -> None:
    raw: RawRequest = data.draw(raw_requests(fuzz.seeds), label="raw")
    response = raw.send(fuzz.server.client)
    if raw.expects_json(response):
        check_response(response, raw)
    if raw.path != "/graphql":
        raw.check_page(response)
    assert response.status_code < 500, f"{response.status_code} for {raw!r}: {response.text[:500]}"
    check_quiet(error_log, raw)
