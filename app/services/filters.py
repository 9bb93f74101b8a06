"""The public petition filter, checked once for every way in: GraphQL, HTTP exports, the CLI.

`FilterArgs` holds what a client asked for (codes, enum names, dates, words);
`criteria_from_args` checks it and turns it into the `PetitionCriteria` the queries take. How codes
become ids is the caller's business (the API batches through dataloaders, an export asks
the database once), so the lookup comes in as a function. Refusals raise `FilterError`
with the same stable codes whichever way the request came in.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.domain.reference import province_codes
from app.domain.stats import MAX_YEAR, MIN_YEAR
from app.domain.text import normalize, petition_search_terms
from app.domain.timezone import VN_TZ
from app.domain.vocabulary import Channel, IntakeChannel, PetitionKind, PetitionStatus
from db.queries.petitions import PetitionCriteria

MAX_SEARCH_TERMS = 12
MAX_FILTER_CODES = 100

CodeLookup = Callable[[str, Sequence[str]], Awaitable[Mapping[str, int]]]
"""(kind, codes) -> {code: id} for the codes that exist; kind is "agency" or "field"."""


class FilterError(Exception):
    """A filter the client must change; `code` is the stable error code."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class FilterArgs:
    """The GraphQL PetitionFilter input, as plain values (enums already turned into their names)."""

    statuses: Sequence[str] | None = None
    agency_codes: Sequence[str] | None = None
    field_codes: Sequence[str] | None = None
    province_codes: Sequence[str] | None = None
    channel: str | None = None
    kind: str | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    overdue: bool | None = None
    search: str | None = None
    intake_channels: Sequence[str] | None = None


def _check_codes(kind: str, codes: Sequence[str], known: set[str] | frozenset[str]) -> None:
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise FilterError(
            "UNKNOWN_CODE",
            f"Unknown {kind} code(s): {', '.join(unknown)}.",
            argument=kind,
            codes=unknown,
        )


def _check_size(kind: str, codes: Sequence[str] | None) -> None:
    if codes is not None and len(codes) > MAX_FILTER_CODES:
        raise FilterError(
            "FILTER_TOO_LARGE", f"At most {MAX_FILTER_CODES} {kind} codes may be given."
        )


async def _ids_of_codes(
    kind: str, codes: Sequence[str] | None, lookup: CodeLookup
) -> tuple[int, ...] | None:
    if codes is None:
        return None
    found = await lookup(kind, codes) if codes else {}
    _check_codes(kind, codes, set(found))
    return tuple(found[code] for code in codes)


def _local(moment: datetime | None) -> datetime | None:
    """A time given without an offset is Vietnam's local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=VN_TZ)


async def criteria_from_args(
    args: FilterArgs | None, lookup: CodeLookup, now: datetime
) -> PetitionCriteria:
    """Check the filter's codes and dates and resolve codes to ids; raise FilterError."""
    args = args or FilterArgs()
    for kind, codes in (
        ("agency", args.agency_codes),
        ("field", args.field_codes),
        ("province", args.province_codes),
    ):
        _check_size(kind, codes)
    agency_ids = await _ids_of_codes("agency", args.agency_codes, lookup)
    field_ids = await _ids_of_codes("field", args.field_codes, lookup)
    if args.province_codes:
        _check_codes("province", args.province_codes, province_codes())
    submitted_from, submitted_to = _local(args.submitted_from), _local(args.submitted_to)
    for name, moment in (("submittedFrom", submitted_from), ("submittedTo", submitted_to)):
        if moment is not None and not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise FilterError(
                "INVALID_DATE_RANGE",
                f"`{name}` must fall in the years {MIN_YEAR} to {MAX_YEAR}.",
                argument=name,
            )
    if submitted_from and submitted_to and submitted_from > submitted_to:
        raise FilterError("INVALID_DATE_RANGE", "`submittedFrom` is after `submittedTo`.")
    terms: list[str] = []
    if args.search is not None:
        terms = petition_search_terms(normalize(args.search))[:MAX_SEARCH_TERMS]
        if not terms:
            raise FilterError(
                "INVALID_SEARCH", "`search` needs at least one letter or digit to look for."
            )
    return PetitionCriteria(
        statuses=tuple(args.statuses or ()),
        agency_ids=agency_ids,
        field_ids=field_ids,
        province_codes=tuple(args.province_codes or ()),
        channel=args.channel,
        kind=args.kind,
        intake_channels=tuple(args.intake_channels or ()),
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        overdue=args.overdue,
        search_terms=tuple(terms),
        now=now,
    )


_LISTS = {
    "statuses": "statuses",
    "agencyCodes": "agency_codes",
    "fieldCodes": "field_codes",
    "provinceCodes": "province_codes",
    "intakeChannels": "intake_channels",
}
_ENUMS: dict[str, type[StrEnum]] = {
    "statuses": PetitionStatus,
    "intakeChannels": IntakeChannel,
    "channel": Channel,
    "kind": PetitionKind,
}
_SINGLES = {
    "channel": "channel",
    "kind": "kind",
    "submittedFrom": "submitted_from",
    "submittedTo": "submitted_to",
    "overdue": "overdue",
    "search": "search",
}
FILTER_PARAMETERS = frozenset(_LISTS) | frozenset(_SINGLES)
_LOST_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def _bad(message: str, parameter: str) -> FilterError:
    return FilterError("BAD_REQUEST", message, parameter=parameter)


def _enum_value(name: str, raw: str) -> str:
    enum = _ENUMS[name]
    value = raw.strip().upper()
    if value not in enum.__members__:
        allowed = ", ".join(enum.__members__)
        raise _bad(f"`{name}` takes {allowed}; not {raw!r}.", name)
    return value


def _instant(name: str, raw: str) -> datetime:
    text = _LOST_PLUS.sub(r"\1+\2", raw.strip())  # a "+" sent unencoded arrives as a space
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"`{name}` is not an ISO 8601 date-time: {raw!r}.", name) from None
    if value.tzinfo is None:
        raise _bad(f"`{name}` needs a UTC offset, e.g. 2026-01-01T00:00:00+07:00.", name)
    return value


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise _bad(f"`{name}` takes true or false; not {raw!r}.", name)
    return value == "true"


def args_from_params(
    params: Iterable[tuple[str, str]], allowed: frozenset[str] | None = None
) -> FilterArgs:
    """FilterArgs from URL query parameters named as the GraphQL PetitionFilter input's fields.

    A list is repeated (`statuses=A&statuses=B`), comma-separated (`statuses=A,B`) or both;
    enum names ignore case. An unknown parameter, a repeated single value or a value that
    does not parse is refused with BAD_REQUEST, never ignored. `allowed` narrows the
    parameters taken to a subset of FILTER_PARAMETERS (all of them by default).
    """
    allowed = FILTER_PARAMETERS if allowed is None else allowed
    lists: dict[str, list[str]] = {}
    singles: dict[str, str] = {}
    for name, raw in params:
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise _bad(f"Unknown parameter `{name}`; filters are {known}.", name)
        if name in _LISTS:
            items = [item.strip() for item in raw.split(",")]
            if not all(items):
                raise _bad(f"`{name}` has an empty item: {raw!r}.", name)
            if name in _ENUMS:
                items = [_enum_value(name, item) for item in items]
            lists.setdefault(name, []).extend(items)
        else:
            if name in singles:
                raise _bad(f"`{name}` may be given once.", name)
            singles[name] = raw
    values: dict[str, Any] = {_LISTS[name]: tuple(items) for name, items in lists.items()}
    for name, raw in singles.items():
        if name in _ENUMS:
            values[_SINGLES[name]] = _enum_value(name, raw)
        elif name in ("submittedFrom", "submittedTo"):
            values[_SINGLES[name]] = _instant(name, raw)
        elif name == "overdue":
            values[_SINGLES[name]] = _flag(name, raw)
        else:
            values[_SINGLES[name]] = raw
    return FilterArgs(**values)
