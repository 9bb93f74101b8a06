"""The exported columns, written once: the CSV header, the NDJSON keys, the Data Package
descriptor (`app.services.datapackage`) and README's column tables are all made from
`PETITION_FIELDS` and `STATS_FIELDS`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.vocabulary import (
    Channel,
    IntakeChannel,
    PetitionKind,
    PetitionStatus,
    PetitionSubject,
)


@dataclass(frozen=True)
class Column:
    """One exported column: its name, its Table Schema type and what it holds.

    The one list of the columns: the CSV header, the NDJSON keys, the Data Package
    descriptor (`app.services.datapackage`) and README's column tables are all made from it.
    """

    name: str
    type: str
    """A Table Schema type: string, integer, number, boolean or datetime."""
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


def _names(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


PETITION_FIELDS: tuple[Column, ...] = (
    Column("tracking_code", "string", "the public handle, e.g. `PAKN-2026-000123`", required=True),
    Column("channel", "string", "`CITIZEN` or `BUSINESS`", True, _names(Channel)),
    Column(
        "kind",
        "string",
        "`REFLECTION` (phản ánh) or `RECOMMENDATION` (kiến nghị)",
        True,
        _names(PetitionKind),
    ),
    Column(
        "subject",
        "string",
        "`MECHANISM`, `POLICY`, `ADMINISTRATIVE_PROCEDURE`, `OFFICIAL_CONDUCT` or `INITIATIVE`",
        True,
        _names(PetitionSubject),
    ),
    Column("title", "string", "the petition's title; empty for a private petition"),
    Column("body", "string", "the petition's text; empty for a private petition"),
    Column("is_private", "boolean", "`true` when the petitioner kept the text private", True),
    Column("field_code", "string", "the field (lĩnh vực) code, e.g. `DAT_DAI`; may be empty"),
    Column(
        "province_code",
        "string",
        "the province code the petition concerns, e.g. `01`; may be empty",
    ),
    Column(
        "status",
        "string",
        "`SUBMITTED`, `REJECTED`, `ASSIGNED`, `IN_PROGRESS`, `TRANSFER_REQUESTED`, "
        "`ANSWERED`, `ESCALATED` or `CLOSED`",
        True,
        _names(PetitionStatus),
    ),
    Column(
        "agency_code",
        "string",
        "the agency that must answer now (e.g. `BTC`, `UBND-01`); empty before assignment",
    ),
    Column("submitted_at", "datetime", "when it was submitted", required=True),
    Column(
        "accepted_at",
        "datetime",
        "when the Government Office accepted it and assigned it to an agency",
    ),
    Column(
        "deadline_at",
        "datetime",
        "end of the 20th working day after acceptance or the latest progress update",
    ),
    Column(
        "is_overdue",
        "boolean",
        "`true` when open (assigned, in progress, transfer requested or escalated) and past "
        "`deadline_at` at the moment of the export",
        required=True,
    ),
    Column("answered_at", "datetime", "when the first answer came"),
    Column(
        "response_working_days",
        "integer",
        "working days from acceptance to the first answer",
        minimum=0,
    ),
    Column(
        "answered_on_time",
        "boolean",
        "whether the first answer came by the deadline that applied then",
    ),
    Column(
        "follow_up_count",
        "integer",
        "how many times the petitioner followed up",
        required=True,
        minimum=0,
    ),
    Column(
        "rating_score",
        "integer",
        "the petitioner's score of the answer, 1 to 5; empty when not rated",
        minimum=1,
        maximum=5,
    ),
    Column(
        "answer_count",
        "integer",
        "how many answers the petition has (more than one after follow-ups)",
        required=True,
        minimum=0,
    ),
    Column("latest_answer_at", "datetime", "when the most recent answer came"),
    Column(
        "urge_count",
        "integer",
        "how many times the Government Office urged the handling agency (URGE events)",
        required=True,
        minimum=0,
    ),
    Column(
        "overdue_count",
        "integer",
        "how many of its deadlines passed with neither an answer nor a progress update "
        "(OVERDUE events)",
        required=True,
        minimum=0,
    ),
    Column(
        "intake_channel",
        "string",
        "how it reached the system: `ONLINE`, or `LETTER`, `PHONE`, `FAX`, `EMAIL`, "
        "`IN_PERSON` for those officers entered",
        True,
        _names(IntakeChannel),
    ),
    Column(
        "attachments",
        "string",
        "the hex SHA-256 of each published file of the petition and of its answers, sorted, "
        "separated by spaces (each downloads from `/files/<sha256>`); empty when none",
    ),
)
"""The exported petition columns, in order (new columns go at the end, so that readers by
position keep working)."""

COLUMNS: tuple[str, ...] = tuple(column.name for column in PETITION_FIELDS)
PRIMARY_KEY = ("tracking_code",)


STATS_BREAKDOWNS = ("total", "agency", "field", "province", "month", "intake_channel")

STATS_FIELDS: tuple[Column, ...] = (
    Column(
        "breakdown",
        "string",
        "`total`, `agency`, `field`, `province`, `month` or `intake_channel`: what the line "
        "groups by",
        True,
        STATS_BREAKDOWNS,
    ),
    Column(
        "key",
        "string",
        "the agency, field or province code, the month (`YYYY-MM`, Asia/Ho_Chi_Minh) or the "
        "intake channel (`ONLINE`, `LETTER`, ...); empty for the total",
    ),
    Column("received", "integer", "petitions submitted in the window", True, minimum=0),
    Column("answered", "integer", "of the received, those with a first answer", True, minimum=0),
    Column(
        "answered_on_time",
        "integer",
        "of the answered, those answered by the deadline that applied then",
        True,
        minimum=0,
    ),
    Column(
        "on_time_rate",
        "number",
        "`answered_on_time` / `answered`, a decimal fraction; empty when nothing was answered",
    ),
    Column(
        "overdue_open",
        "integer",
        "open and past `deadline_at` at the moment of the export",
        True,
        minimum=0,
    ),
    Column("escalated", "integer", "ever escalated to the Government", True, minimum=0),
    Column("follow_ups", "integer", "the sum of the petitions' follow-ups", True, minimum=0),
    Column("rejected", "integer", "petitions in status `REJECTED`", True, minimum=0),
    Column(
        "median_response_working_days",
        "integer",
        "median working days from acceptance to the first answer (nearest rank); empty when "
        "nothing was answered",
        minimum=0,
    ),
    Column(
        "p90_response_working_days",
        "integer",
        "90th percentile of the same (nearest rank); empty when nothing was answered",
        minimum=0,
    ),
    Column(
        "average_rating",
        "number",
        "the mean score of the rated petitions, 1 to 5; empty when none was rated",
    ),
    *(
        Column(f"rating_{score}", "integer", f"ratings that scored {score}", True, minimum=0)
        for score in range(1, 6)
    ),
    Column(
        "urged",
        "integer",
        "petitions the Government Office urged at least once (`urge_count` above 0)",
        True,
        minimum=0,
    ),
    Column(
        "overdue_ever",
        "integer",
        "petitions that went overdue at least once (`overdue_count` above 0)",
        True,
        minimum=0,
    ),
)
"""The columns of /export/stats.csv, in order (README, "Statistics", defines the figures)."""

STATS_COLUMNS: tuple[str, ...] = tuple(column.name for column in STATS_FIELDS)
STATS_PRIMARY_KEY = ("breakdown", "key")
