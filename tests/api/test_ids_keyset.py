"""Global ids and cursors decode strictly: anything else is a client error."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.timezone import VN_TZ
from resolvers.errors import ClientError
from resolvers.ids import (
    decode_id_cursor,
    decode_sort_cursor,
    encode_id_cursor,
    encode_sort_cursor,
    global_id,
    parse_global_id,
)
from resolvers.pagination import page_args


def test_global_id_round_trip() -> None:
    assert parse_global_id(global_id("Petition", 42)) == ("Petition", 42)
    assert parse_global_id(global_id("Agency", 7), expected="Agency") == ("Agency", 7)


@pytest.mark.parametrize(
    "token",
    ["", "!!!", "UGV0aXRpb246", "VW5rbm93bjox", global_id("Petition", 1) + "x", "%%%%", "AAAA"],
)
def test_malformed_global_ids_are_refused(token: str) -> None:
    with pytest.raises(ClientError) as refused:
        parse_global_id(token)
    assert refused.value.code == "INVALID_ID"


def test_sort_cursor_round_trip_and_order_binding() -> None:
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=VN_TZ)
    cursor = encode_sort_cursor("SUBMITTED_AT:DESC", moment, 12)
    key = decode_sort_cursor(cursor, "SUBMITTED_AT:DESC")
    assert (key.value, key.id) == (moment, 12)
    with pytest.raises(ClientError):
        decode_sort_cursor(cursor, "SUBMITTED_AT:ASC")
    null_cursor = encode_sort_cursor("ANSWERED_AT:ASC", None, 3)
    assert decode_sort_cursor(null_cursor, "ANSWERED_AT:ASC").value is None


@pytest.mark.parametrize("token", ["", "abc", encode_id_cursor("event", 5), "W10", "WzEsMiwzXQ"])
def test_bad_sort_cursors_are_refused(token: str) -> None:
    with pytest.raises(ClientError) as refused:
        decode_sort_cursor(token, "SUBMITTED_AT:DESC")
    assert refused.value.code == "INVALID_CURSOR"


def test_id_cursor_scope_is_checked() -> None:
    assert decode_id_cursor(encode_id_cursor("event", 9), "event") == 9
    with pytest.raises(ClientError):
        decode_id_cursor(encode_id_cursor("agency", 9), "event")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"first": 0}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"first": 101}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"last": -1}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"first": 5, "last": 5}, "INVALID_PAGINATION"),
        ({"first": 5, "before": "x"}, "INVALID_PAGINATION"),
    ],
)
def test_page_arguments_are_checked(kwargs: dict[str, object], code: str) -> None:
    args = {"first": None, "after": None, "last": None, "before": None, **kwargs}
    with pytest.raises(ClientError) as refused:
        page_args(**args)  # type: ignore[arg-type]
    assert refused.value.code == code


def test_page_defaults() -> None:
    assert page_args(None, None).limit == 20
    assert page_args(None, None, 10, None).backwards
