"""The export endpoints as the tests call them, and the GraphQL list as export records:
what `/export/petitions.csv` and `.ndjson` must hold for a filter, in submission order.

The helpers keep the names they had in the single export test module they came from
(`_codes` among them), so that the tests read as they did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from app.services.csv_cells import FORMULA_STARTS
from app.services.export_columns import PETITION_FIELDS
from tests.support.server import HttpServer

GRAPHQL_ROWS = """
query Rows($after: String, $filter: PetitionFilter) {
  petitions(first: 100, after: $after, filter: $filter,
            orderBy: {field: SUBMITTED_AT, direction: ASC}) {
    edges { node {
      trackingCode channel kind subject title body isPrivate field { code } provinceCode
      status agency { code } submittedAt acceptedAt deadlineAt isOverdue answeredAt
      responseWorkingDays answeredOnTime followUpCount rating { score }
      answers { answeredAt attachments { sha256 } } urgeCount overdueCount intakeChannel
      attachments { sha256 }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

TIME_COLUMNS = tuple(c.name for c in PETITION_FIELDS if c.type == "datetime")


def to_the_second(moment: str | None) -> str | None:
    """An API time as exports write it: the same ISO 8601 text without its fraction."""
    if moment is None:
        return None
    return datetime.fromisoformat(moment).replace(microsecond=0).isoformat()


def graphql_rows(server: HttpServer, flt: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The public list with `flt`, in submission order, as export records (typed values,
    times to the second)."""
    records: list[dict[str, Any]] = []
    for n in server.nodes(GRAPHQL_ROWS, {"filter": flt}):
        answers = n["answers"]
        records.append(
            {
                "tracking_code": n["trackingCode"],
                "channel": n["channel"],
                "kind": n["kind"],
                "subject": n["subject"],
                "title": n["title"],
                "body": n["body"],
                "is_private": n["isPrivate"],
                "field_code": n["field"] and n["field"]["code"],
                "province_code": n["provinceCode"],
                "status": n["status"],
                "agency_code": n["agency"] and n["agency"]["code"],
                "submitted_at": n["submittedAt"],
                "accepted_at": n["acceptedAt"],
                "deadline_at": n["deadlineAt"],
                "is_overdue": n["isOverdue"],
                "answered_at": n["answeredAt"],
                "response_working_days": n["responseWorkingDays"],
                "answered_on_time": n["answeredOnTime"],
                "follow_up_count": n["followUpCount"],
                "rating_score": n["rating"] and n["rating"]["score"],
                "answer_count": len(answers),
                "latest_answer_at": answers[-1]["answeredAt"] if answers else None,
                "urge_count": n["urgeCount"],
                "overdue_count": n["overdueCount"],
                "intake_channel": n["intakeChannel"],
                "attachments": " ".join(
                    sorted(
                        [a["sha256"] for a in n["attachments"]]
                        + [a["sha256"] for answer in answers for a in answer["attachments"]]
                    )
                )
                or None,
            }
        )
        record = records[-1]
        for column in TIME_COLUMNS:
            record[column] = to_the_second(record[column])
    return records


def as_csv_text(record: dict[str, Any]) -> dict[str, str]:
    """What CSV makes of a typed record: null empty, booleans true/false, numbers decimal,
    text that starts like a spreadsheet formula after a `'` (so a formula title another
    test submitted moments before compares right)."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str) and value[:1] in FORMULA_STARTS:
            return "'" + value
        return str(value)

    return {key: text(value) for key, value in record.items()}


def get_export(
    server: HttpServer, fmt: str, params: list[tuple[str, str]] | None = None
) -> httpx.Response:
    return server.client.get(f"/export/petitions.{fmt}", params=params or [])


def _codes(records: list[dict[str, Any]]) -> list[str]:
    return [r["tracking_code"] for r in records]
