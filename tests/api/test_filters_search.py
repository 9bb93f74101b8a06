"""Each filter of the public list returns exactly the petitions a reader would pick by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from app.domain.text import fold
from tests.support.server import RunningServer

ALL = """
query All($after: String, $filter: PetitionFilter) {
  petitions(first: 100, after: $after, filter: $filter) {
    totalCount
    edges { node { trackingCode status channel kind provinceCode submittedAt isOverdue
                   isPrivate title body agency { code } field { code } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def fetch_all(server: RunningServer, flt: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = server.gql(ALL, {"after": after, "filter": flt})["petitions"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes)
            return nodes
        after = page["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def everything(demo_server: RunningServer) -> list[dict[str, Any]]:
    return fetch_all(demo_server)


def _codes(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["trackingCode"] for n in nodes]


def _most_common(nodes: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> Any:
    counts: dict[Any, int] = {}
    for node in nodes:
        if key(node) is not None:
            counts[key(node)] = counts.get(key(node), 0) + 1
    return max(counts, key=lambda k: (counts[k], str(k)))


def check(
    server: RunningServer,
    everything: list[dict[str, Any]],
    flt: dict[str, Any],
    keep: Callable[[dict[str, Any]], bool],
) -> None:
    expected = [n for n in everything if keep(n)]
    assert expected, f"the demo data has no petition for {flt}"
    assert len(expected) < len(everything), f"{flt} filters nothing out"
    assert _codes(fetch_all(server, flt)) == _codes(expected)


def test_status_filter(demo_server: RunningServer, everything: list[dict[str, Any]]) -> None:
    wanted = {"IN_PROGRESS", "ESCALATED"}
    check(demo_server, everything, {"statuses": sorted(wanted)}, lambda n: n["status"] in wanted)


def test_agency_filter(demo_server: RunningServer, everything: list[dict[str, Any]]) -> None:
    code = _most_common(everything, lambda n: n["agency"] and n["agency"]["code"])
    check(
        demo_server,
        everything,
        {"agencyCodes": [code]},
        lambda n: n["agency"] is not None and n["agency"]["code"] == code,
    )


def test_field_filter(demo_server: RunningServer, everything: list[dict[str, Any]]) -> None:
    code = _most_common(everything, lambda n: n["field"] and n["field"]["code"])
    check(
        demo_server,
        everything,
        {"fieldCodes": [code]},
        lambda n: n["field"] is not None and n["field"]["code"] == code,
    )


def test_province_filter(demo_server: RunningServer, everything: list[dict[str, Any]]) -> None:
    code = _most_common(everything, lambda n: n["provinceCode"])
    check(
        demo_server,
        everything,
        {"provinceCodes": [code, "01"]},
        lambda n: n["provinceCode"] in {code, "01"},
    )


def test_channel_and_kind_filters(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    check(demo_server, everything, {"channel": "BUSINESS"}, lambda n: n["channel"] == "BUSINESS")
    check(
        demo_server, everything, {"kind": "RECOMMENDATION"}, lambda n: n["kind"] == "RECOMMENDATION"
    )
    check(
        demo_server,
        everything,
        {"channel": "CITIZEN", "kind": "REFLECTION"},
        lambda n: n["channel"] == "CITIZEN" and n["kind"] == "REFLECTION",
    )


def test_submitted_window(demo_server: RunningServer, everything: list[dict[str, Any]]) -> None:
    instants = sorted(datetime.fromisoformat(n["submittedAt"]) for n in everything)
    low, high = instants[len(instants) // 4], instants[3 * len(instants) // 4]
    check(
        demo_server,
        everything,
        {"submittedFrom": low.isoformat(), "submittedTo": high.isoformat()},
        lambda n: low <= datetime.fromisoformat(n["submittedAt"]) < high,
    )


def test_a_window_without_offsets_is_vietnam_time(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    vietnam = timezone(timedelta(hours=7))
    low, high = datetime(2026, 1, 1, tzinfo=vietnam), datetime(2026, 7, 1, 12, tzinfo=vietnam)
    check(
        demo_server,
        everything,
        {"submittedFrom": "2026-01-01", "submittedTo": "2026-07-01T12:00:00"},
        lambda n: low <= datetime.fromisoformat(n["submittedAt"]) < high,
    )


def test_overdue_filter(demo_server: RunningServer, everything: list[dict[str, Any]]) -> None:
    check(demo_server, everything, {"overdue": True}, lambda n: n["isOverdue"])
    check(demo_server, everything, {"overdue": False}, lambda n: not n["isOverdue"])


def _public_words(node: dict[str, Any]) -> set[str]:
    return set(fold(f"{node['title']} {node['body']}").split()) if not node["isPrivate"] else set()


def _matches(node: dict[str, Any], terms: list[str]) -> bool:
    """Every term matches a word: a whole word, or with a trailing * a word it starts."""
    words = _public_words(node)
    return all(
        any(w.startswith(t[:-1]) for w in words) if t.endswith("*") else t in words for t in terms
    )


def test_search_ignores_diacritics_and_case(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    for query in ("thu tuc dat dai", "THỦ TỤC", "Đất đai", "hai quan", "can cuoc"):
        expected = [n["trackingCode"] for n in everything if _matches(n, fold(query).split())]
        found = _codes(fetch_all(demo_server, {"search": query}))
        assert found == expected, query
    assert _codes(fetch_all(demo_server, {"search": "thu tuc dat dai"})), "demo has such petitions"


def test_a_word_matches_whole_words_and_a_starred_word_their_starts(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    """ "thu" (thủ, thư) does not find "thuế" or "thuốc"; "thu*" finds them all."""
    whole = _codes(fetch_all(demo_server, {"search": "thu"}))
    starts = _codes(fetch_all(demo_server, {"search": "Thu*"}))
    assert whole == [n["trackingCode"] for n in everything if _matches(n, ["thu"])]
    assert starts == [n["trackingCode"] for n in everything if _matches(n, ["thu*"])]
    assert set(whole) < set(starts), "the demo has words that start with thu: thue, thuoc"
    mixed = _codes(fetch_all(demo_server, {"search": "thủ tục đất*"}))
    assert mixed == [n["trackingCode"] for n in everything if _matches(n, ["thu", "tuc", "dat*"])]
    assert mixed


def test_search_never_finds_private_text(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    found = fetch_all(demo_server, {"search": "a"}) + fetch_all(demo_server, {"search": "thu"})
    assert found
    assert not any(n["isPrivate"] for n in found)
    assert all(n["title"] is None and n["body"] is None for n in everything if n["isPrivate"])


def test_search_combines_with_other_filters(
    demo_server: RunningServer, everything: list[dict[str, Any]]
) -> None:
    code = _most_common(everything, lambda n: n["field"] and n["field"]["code"])
    flt = {"search": "kien nghi", "fieldCodes": [code], "channel": "CITIZEN"}
    found = fetch_all(demo_server, flt)
    assert all(n["field"]["code"] == code and n["channel"] == "CITIZEN" for n in found)
    expected = [
        n["trackingCode"]
        for n in everything
        if n["field"] is not None
        and n["field"]["code"] == code
        and n["channel"] == "CITIZEN"
        and _matches(n, ["kien", "nghi"])
    ]
    assert _codes(found) == expected
