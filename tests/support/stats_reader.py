"""Statistics as a reader computes them from the public petition list, using public fields
only, and `check_against_reader`, which holds every figure of `stats` to them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import pytest

from app.domain.timezone import VN_TZ
from tests.support.server import HttpServer

ROW = """received answered answeredOnTime onTimeRate overdueOpen escalated followUps rejected
         medianResponseWorkingDays p90ResponseWorkingDays averageRating ratingCounts
         urged urgedRate overdueEver"""
ADDITIVE = (
    "received",
    "answered",
    "answeredOnTime",
    "overdueOpen",
    "escalated",
    "followUps",
    "rejected",
    "urged",
    "overdueEver",
)
STATS = """query($filter: StatsFilter) { stats(filter: $filter) {
  totals { ROW }
  byAgency { agency { code } stats { ROW } }
  byField { field { code } stats { ROW } }
  byProvince { province { code } stats { ROW } }
  byMonth { month stats { ROW } }
  byIntakeChannel { intakeChannel stats { ROW } } } }""".replace("ROW", ROW)
LIST = """query($filter: PetitionFilter, $after: String) {
  petitions(first: 100, after: $after, filter: $filter) {
    edges { node { status submittedAt answeredAt answeredOnTime isOverdue escalatedAt deadlineAt
                   followUpCount responseWorkingDays rating { score } agency { code }
                   field { code } provinceCode channel kind urgeCount overdueCount
                   intakeChannel } }
    pageInfo { hasNextPage endCursor } } }"""


def local_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).astimezone(VN_TZ)


def _nearest_rank(values: list[int], numerator: int, denominator: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, -(-numerator * len(ordered) // denominator)) - 1]


def reader_row(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures, as a reader of the public list computes them."""
    answered = [n for n in nodes if n["answeredAt"] is not None]
    on_time = sum(1 for n in nodes if n["answeredOnTime"] is True)
    days = [n["responseWorkingDays"] for n in answered]
    scores = [n["rating"]["score"] for n in nodes if n["rating"] is not None]
    return {
        "received": len(nodes),
        "answered": len(answered),
        "answeredOnTime": on_time,
        "onTimeRate": on_time / len(answered) if answered else None,
        "overdueOpen": sum(1 for n in nodes if n["isOverdue"]),
        "escalated": sum(1 for n in nodes if n["escalatedAt"] is not None),
        "followUps": sum(n["followUpCount"] for n in nodes),
        "rejected": sum(1 for n in nodes if n["status"] == "REJECTED"),
        "medianResponseWorkingDays": _nearest_rank(days, 1, 2),
        "p90ResponseWorkingDays": _nearest_rank(days, 9, 10),
        "averageRating": sum(scores) / len(scores) if scores else None,
        "ratingCounts": [scores.count(s) for s in range(1, 6)],
        "urged": (urged := sum(1 for n in nodes if n["urgeCount"] > 0)),
        "urgedRate": urged / len(nodes) if nodes else None,
        "overdueEver": sum(1 for n in nodes if n["overdueCount"] > 0),
    }


def reader_groups(nodes: list[dict[str, Any]], key: Any) -> dict[Any, dict[str, Any]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for node in nodes:
        k = key(node)
        if k is not None:
            groups[k].append(node)
    return {k: reader_row(v) for k, v in groups.items()}


def fetch_list(server: HttpServer, flt: dict[str, Any]) -> list[dict[str, Any]]:
    """The public list with `flt`, every page, with the fields the reader uses."""
    return server.nodes(LIST, {"filter": flt})


def same_figures(api: dict[str, Any], reader: dict[str, Any]) -> None:
    for name, expected in reader.items():
        if isinstance(expected, float):
            assert api[name] == pytest.approx(expected), name
        else:
            assert api[name] == expected, name


def check_against_reader(server: HttpServer, stats_filter: dict[str, Any]) -> dict[str, Any]:
    """Every figure of `stats` equals the reader's, for totals and each breakdown."""
    list_filter = {k: v for k, v in stats_filter.items() if k not in ("from", "to")}
    start = date.fromisoformat(stats_filter["from"]) if stats_filter.get("from") else None
    end = date.fromisoformat(stats_filter["to"]) if stats_filter.get("to") else None
    nodes = [
        n
        for n in fetch_list(server, list_filter)
        if (start is None or local_time(n["submittedAt"]).date() >= start)
        and (end is None or local_time(n["submittedAt"]).date() <= end)
    ]
    stats = server.gql(STATS, {"filter": stats_filter})["stats"]
    same_figures(stats["totals"], reader_row(nodes))
    breakdowns = {
        "byAgency": ("agency", lambda n: n["agency"] and n["agency"]["code"]),
        "byField": ("field", lambda n: n["field"] and n["field"]["code"]),
        "byProvince": ("province", lambda n: n["provinceCode"]),
        "byMonth": ("month", lambda n: local_time(n["submittedAt"]).strftime("%Y-%m")),
        "byIntakeChannel": ("intakeChannel", lambda n: n["intakeChannel"]),
    }
    for name, (label, key) in breakdowns.items():
        expected = reader_groups(nodes, key)
        rows = stats[name]
        plain = label in ("month", "intakeChannel")
        keys = [r[label] if plain else r[label]["code"] for r in rows]
        if label != "intakeChannel":  # those come in IntakeChannel's order
            assert keys == sorted(keys), name
        assert set(keys) == set(expected), name
        for k, row in zip(keys, rows, strict=True):
            same_figures(row["stats"], expected[k])
    return stats
