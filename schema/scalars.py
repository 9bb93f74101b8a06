"""Strawberry's Date and DateTime scalars, described for pakn's clients.

Only the descriptions differ from Strawberry's own definitions: names, parsing and
serialisation are theirs, so the SDL and every response stay what they were.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

DATE = dataclasses.replace(
    DateDefinition,
    description="A calendar date as ISO 8601 YYYY-MM-DD, e.g. 2026-03-31: a local date in "
    "Vietnam (Asia/Ho_Chi_Minh), the whole day from 00:00 to 24:00 +07:00.",
)

DATE_TIME = dataclasses.replace(
    DateTimeDefinition,
    description="An instant as ISO 8601 text with its UTC offset, e.g. "
    "2026-03-02T09:30:00+07:00. pakn writes every time in Vietnam's time "
    "(Asia/Ho_Chi_Minh, +07:00), with a fraction of a second when the stored time has one. "
    "As input, a time without an offset is read as Vietnam time, and a date alone as its "
    "midnight.",
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {date: DATE, datetime: DATE_TIME}
"""For `strawberry.Schema(scalar_overrides=...)`."""
