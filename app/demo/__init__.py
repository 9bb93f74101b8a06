"""Deterministic demo data: petitions with coherent histories, loaded in bulk.

`load_demo(engine, n, seed, now=...)` appends `n` petitions after the current highest id,
each with its petitioner's contact row, assignments, answers, rating and the full event
history that leads to its final status, as `app.services.transitions` would have written it. Events
are chained onto the tamper-evident event log (`app.domain.chain`) exactly as
`db.event_log.append` chains them; answers are sealed (`app.domain.signing`) with each agency's
current key, so the rows are identical for equal (seed, petitions, now) on an empty
database except for `answers.signature` and `key_id`, which depend on that database's keys.

The story of one petition. Submission times spread over the two years before `now` (a
growing trend, a weekday rhythm), on working days in office hours, ids in submission order.
A final status is drawn with odds that depend on age (recent petitions are more often still
open), then the history is simulated forward, action by action, each on a later working day
(or later the same day). A step that would fall after `now` is not taken: the petition
stays where it got to, so recent petitions are naturally less advanced.

How it stays fast enough for a million petitions (about nine million rows):

* Time is integer epoch seconds. Every event falls on a working day, so a moment is
  "working-day index `w` + seconds into the local day": a deadline (`deadline_after(t, 20)`)
  is day `w + 20`, elapsed working days a subtraction, "on time" a comparison. The working
  days come from `app.domain.working_days`, listed once per load.
* Titles and bodies are rendered from pre-folded templates (`app.demo.wording.Template`), so
  the searchable text is joined from pieces folded at import instead of folded per row.
* Work is cut into chunks of `CHUNK` petitions. Each chunk draws from its own
  `random.Random` seeded by (seed, chunk index); ids and the chain head carry over from the
  previous chunk, so output depends only on (seed, petitions, now, the database's last ids
  and event hash), never on how the chunks are scheduled.
* PostgreSQL: one transaction that locks the six tables against other writers (and takes
  the event log's advisory lock). From `PARALLEL_MIN` petitions on, a producer process
  (started with "spawn": a calling script needs the usual `if __name__ == "__main__":`
  guard) renders chunks to COPY text while the main process streams them through asyncpg's
  `copy_to_table`. For a large load (at least `BULK_MIN` petitions and no fewer than the
  table holds) the btree indexes and foreign keys of the six tables are dropped first and
  recreated from their catalogue definitions before commit: building an index once is far
  cheaper than maintaining it, and checking foreign keys row by row would dominate. The GIN
  search index stays: maintaining it during the COPY overlaps with generation, while
  rebuilding it would run alone at the end. The sequences are then moved past the new ids,
  the tables analysed and the GIN pending list flushed.
* SQLite (and any other dialect): Core `insert()` executemany, one transaction per chunk.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import traceback
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from queue import Empty
from random import Random
from time import perf_counter
from typing import Any, NamedTuple

import orjson
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.demo import wording as txt
from app.domain.chain import GENESIS
from app.domain.reference import FIELDS, GOVERNMENT_OFFICE_CODE, MINISTRIES, agencies, provinces
from app.domain.signing import sign_answer
from app.domain.text import normalize
from app.domain.timezone import VN_TZ
from app.domain.vocabulary import (
    Action,
    ActorRole,
    Channel,
    EscalationReason,
    PetitionKind,
    PetitionStatus,
    PetitionSubject,
    RejectionReason,
    tracking_code,
)
from app.domain.working_days import is_working_day
from db import rollup
from db.engine import session_factory
from db.event_log import CHAIN_LOCK_KEY
from db.keys import ensure_keys
from db.models import (
    Agency,
    AgencyKey,
    Answer,
    Assignment,
    Field,
    Petition,
    PetitionerContact,
    PetitionEvent,
    Rating,
)

log = logging.getLogger(__name__)

CHUNK = 5_000
"""Petitions per chunk: the unit of randomness, of a SQLite transaction and of a COPY."""
PARALLEL_MIN = 40_000
"""From this many petitions on, PostgreSQL loads render COPY data in a producer process."""
BULK_MIN = 100_000
"""From this many petitions on, PostgreSQL loads drop and rebuild indexes and foreign keys."""
RESPONSE_WORKING_DAYS = 20
HISTORY_DAYS = 730

_OFFICE_START = 8 * 3600
_OFFICE_END = 17 * 3600 - 60
_END_OF_DAY = 86_399
_DAY = 86_400

# Plain strings, so rows carry str (not enum) values and the hot path skips enum lookups.
_SUBMITTED = PetitionStatus.SUBMITTED.value
_REJECTED = PetitionStatus.REJECTED.value
_ASSIGNED = PetitionStatus.ASSIGNED.value
_IN_PROGRESS = PetitionStatus.IN_PROGRESS.value
_TRANSFER_REQUESTED = PetitionStatus.TRANSFER_REQUESTED.value
_ANSWERED = PetitionStatus.ANSWERED.value
_ESCALATED = PetitionStatus.ESCALATED.value
_CLOSED = PetitionStatus.CLOSED.value
_PETITIONER = ActorRole.PETITIONER.value
_COORDINATOR = ActorRole.COORDINATOR.value
_OFFICER = ActorRole.AGENCY_OFFICER.value
_SYSTEM = ActorRole.SYSTEM.value
_CITIZEN = Channel.CITIZEN.value
_BUSINESS = Channel.BUSINESS.value
_REFLECTION = PetitionKind.REFLECTION.value
_RECOMMENDATION = PetitionKind.RECOMMENDATION.value
_SUBMIT = Action.SUBMIT.value
_ASSIGN = Action.ASSIGN.value
_REJECT = Action.REJECT.value
_ACKNOWLEDGE = Action.ACKNOWLEDGE.value
_REQUEST_TRANSFER = Action.REQUEST_TRANSFER.value
_TRANSFER = Action.TRANSFER.value
_PROGRESS_UPDATE = Action.PROGRESS_UPDATE.value
_ANSWER = Action.ANSWER.value
_RATE = Action.RATE.value
_FOLLOW_UP = Action.FOLLOW_UP.value
_ESCALATE = Action.ESCALATE.value
_GOVERNMENT_AUTHORITY = EscalationReason.GOVERNMENT_AUTHORITY.value
_DISAGREEMENT = EscalationReason.MULTI_AGENCY_DISAGREEMENT.value
_REPEATED = EscalationReason.REPEATED_COMPLAINT.value
_DUPLICATE = RejectionReason.DUPLICATE.value

_STATUS_ODDS: tuple[tuple[str, float, float], ...] = (
    # final status, weight, age slope: weight * (1 + slope * (age - 0.5)) where age runs
    # from 0 (submitted today) to 1 (two years ago); the slopes roughly cancel out.
    (_CLOSED, 37.0, 0.9),
    (_ANSWERED, 20.0, 0.0),
    (_IN_PROGRESS, 13.5, -1.2),
    (_ASSIGNED, 7.0, -1.4),
    (_REJECTED, 7.0, 0.0),
    (_TRANSFER_REQUESTED, 3.0, -1.2),
    (_ESCALATED, 8.0, 0.0),
)
_SUBJECTS: tuple[tuple[str, int, float], ...] = (
    # subject, weight, share of REFLECTION (the rest are RECOMMENDATION)
    (PetitionSubject.ADMINISTRATIVE_PROCEDURE.value, 35, 0.55),
    (PetitionSubject.POLICY.value, 20, 0.4),
    (PetitionSubject.MECHANISM.value, 15, 0.4),
    (PetitionSubject.OFFICIAL_CONDUCT.value, 20, 0.85),
    (PetitionSubject.INITIATIVE.value, 10, 0.1),
)
_LOCAL_SHARE = {
    PetitionSubject.OFFICIAL_CONDUCT.value: 0.7,
    PetitionSubject.INITIATIVE.value: 0.3,
}
"""Share of petitions, by subject, first assigned to a province's People's Committee."""
_REJECTIONS = (
    (RejectionReason.OUT_OF_SCOPE.value, 40),
    (_DUPLICATE, 25),
    (RejectionReason.ABUSIVE.value, 5),
    (RejectionReason.INSUFFICIENT_INFO.value, 30),
)
_SCORES = {
    "pleased": (5, 7, 18, 35, 35),
    "late": (15, 20, 30, 20, 15),
    "disputed": (22, 25, 25, 17, 11),
}
_WEEKDAY_VOLUME = (1.15, 1.05, 1.0, 0.95, 0.85, 0.5, 0.5)
_BIG_CITIES = {"01": 4.0, "79": 4.0, "31": 1.8, "48": 1.8, "92": 1.5}

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "petitions": (
        "id",
        "tracking_code",
        "channel",
        "kind",
        "subject",
        "title",
        "body",
        "is_private",
        "field_id",
        "province_code",
        "status",
        "agency_id",
        "submitted_at",
        "accepted_at",
        "clock_started_at",
        "deadline_at",
        "answered_at",
        "response_working_days",
        "answered_on_time",
        "closed_at",
        "follow_up_count",
        "escalation_reason",
        "rejection_reason",
        "duplicate_of",
        "version",
        "search_text",
        "escalated_at",
        "rating_score",
    ),
    "petitioner_contacts": (
        "petition_id",
        "full_name",
        "email",
        "phone",
        "address",
        "organization_name",
        "tax_code",
    ),
    "assignments": ("id", "petition_id", "agency_id", "assigned_at", "ended_at", "end_reason"),
    "answers": ("id", "petition_id", "agency_id", "body", "answered_at", "signature", "key_id"),
    "ratings": ("petition_id", "answer_id", "score", "comment", "rated_at"),
    "petition_events": (
        "id",
        "petition_id",
        "action",
        "from_status",
        "to_status",
        "at",
        "actor_role",
        "agency_id",
        "note",
        "is_public",
        "previous_hash",
        "hash",
    ),
}
"""The columns the generator fills, in the order of its row tuples; the rest take defaults."""
_TABLES = {
    "petitions": Petition.__table__,
    "petitioner_contacts": PetitionerContact.__table__,
    "assignments": Assignment.__table__,
    "answers": Answer.__table__,
    "ratings": Rating.__table__,
    "petition_events": PetitionEvent.__table__,
}
_MOMENT_COLUMNS = {
    "petitions": (
        "submitted_at",
        "accepted_at",
        "clock_started_at",
        "deadline_at",
        "answered_at",
        "closed_at",
        "escalated_at",
    ),
    "petitioner_contacts": (),
    "assignments": ("assigned_at", "ended_at"),
    "answers": ("answered_at",),
    "ratings": ("rated_at",),
    "petition_events": ("at",),
}
_SEQUENCED = ("petitions", "assignments", "answers", "petition_events")


# --- public API ------------------------------------------------------------


async def load_demo(
    engine: AsyncEngine, petitions: int, seed: int = 1, *, now: datetime | None = None
) -> int:
    """Append `petitions` deterministic demo petitions with full histories; return how many
    were added."""
    if petitions <= 0:
        return 0
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    async with engine.connect() as conn:
        agency_ids, field_ids = await _reference_ids(conn)
    keys = await _sealing_keys(engine, moment)
    spec = LoadSpec(seed, petitions, int(moment.timestamp()), agency_ids, field_ids, keys)
    started = perf_counter()
    if engine.dialect.name == "postgresql":
        await _load_postgres(engine, spec)
    else:
        await _load_generic(engine, spec)
    async with engine.begin() as conn:
        await rollup.rebuild(conn)
    log.info("loaded %d demo petitions in %.1f s", petitions, perf_counter() - started)
    return petitions


async def count_petitions(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(Petition))).scalar_one())


# --- specification, calendar, vocabulary -----------------------------------


@dataclass(frozen=True)
class LoadSpec:
    """Everything a chunk needs besides its index and starting position (picklable)."""

    seed: int
    total: int
    now: int
    agency_ids: dict[str, int]
    field_ids: dict[str, int]
    keys: dict[int, tuple[str, bytes]]
    """Each agency's current sealing key: agency id -> (key id, raw Ed25519 private key)."""


class Position(NamedTuple):
    """Where a chunk starts: the next free ids, and the hash of the last event."""

    petition: int
    assignment: int
    answer: int
    event: int
    chain_head: str


@dataclass(frozen=True)
class _Calendar:
    """Working days around `now`, indexed; moments are epoch seconds."""

    days: tuple[date, ...]
    midnight: tuple[int, ...]
    years: tuple[int, ...]
    first: int
    """Index of the first day a petition may be submitted on."""
    last: int
    """Index of the last day a petition may be submitted on (its office hours are past)."""
    today: int
    """Index of the last working day on or before now's local date."""
    now: int


@cache
def _calendar(now: int) -> _Calendar:
    local = datetime.fromtimestamp(now, VN_TZ).date()
    days: list[date] = []
    day = local - timedelta(days=HISTORY_DAYS + 120)
    while day <= local + timedelta(days=150):
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    midnight = tuple(int(datetime.combine(d, time(0), VN_TZ).timestamp()) for d in days)
    today = bisect_right(days, local) - 1
    return _Calendar(
        days=tuple(days),
        midnight=midnight,
        years=tuple(d.year for d in days),
        first=bisect_right(days, local - timedelta(days=HISTORY_DAYS)),
        last=today if now - midnight[today] >= _OFFICE_END else today - 1,
        today=today,
        now=now,
    )


@lru_cache(maxsize=8)
def _day_totals(seed: int, total: int, now: int) -> tuple[int, ...]:
    """Cumulative petitions per submission day (from `first` to `last`): a growing trend,
    a weekday rhythm and some noise, fixed by the seed."""
    cal = _calendar(now)
    rng = Random(f"pakn-demo:{seed}:days")
    span = cal.last - cal.first + 1
    weights = [
        (0.6 + 0.8 * offset / max(1, span - 1))
        * _WEEKDAY_VOLUME[cal.days[cal.first + offset].weekday()]
        * (0.8 + 0.4 * rng.random())
        for offset in range(span)
    ]
    scale = total / sum(weights)
    cumulative: list[int] = []
    running = 0.0
    for weight in weights:
        running += weight
        cumulative.append(round(running * scale))
    cumulative[-1] = total
    return tuple(cumulative)


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total = sum(weights)
    out: list[float] = []
    running = 0.0
    for weight in weights:
        running += weight
        out.append(running / total)
    return tuple(out)


_SCORE_CUMULATIVE = {mood: _cumulative(weights) for mood, weights in _SCORES.items()}
_SUBJECT_CUMULATIVE = _cumulative([weight for _s, weight, _r in _SUBJECTS])
_MAX_BODY = 10_000
_LOCAL_PLACE = txt.phrase("địa phương")
_NUMBERS = tuple(txt.phrase(str(n)) for n in range(100))
_YEARS = {year: txt.phrase(str(year)) for year in range(1990, 2200)}


@dataclass(frozen=True)
class _Province:
    code: str
    place: txt.Phrase
    """As written inside a sentence: "tỉnh Lào Cai", "thành phố Hà Nội"."""
    address: str
    """As written at the end of an address: "tỉnh Lào Cai", "Thành phố Hà Nội"."""


def _ascii(text: str) -> str:
    return txt.fold(text).replace(" ", "")


@cache
def _provinces() -> tuple[tuple[_Province, ...], tuple[float, ...]]:
    out: list[_Province] = []
    for ref in provinces():
        city = ref.name.startswith("Thành phố ")
        address = ref.name if city else f"tỉnh {ref.name}"
        place = "thành phố " + ref.name.removeprefix("Thành phố ") if city else address
        out.append(_Province(ref.code, txt.phrase(place), normalize(address)))
    return tuple(out), _cumulative([_BIG_CITIES.get(p.code, 1.0) for p in out])


@cache
def _people() -> dict[str, tuple[Any, ...]]:
    """Name parts with their ASCII forms (for e-mail addresses), company brands."""
    return {
        "surnames": tuple((normalize(s), _ascii(s)) for s in txt.SURNAMES),
        "male": tuple(
            (normalize(m), normalize(g), _ascii(m)[0], _ascii(g))
            for m in txt.MALE_MIDDLES
            for g in txt.MALE_GIVEN
        ),
        "female": tuple(
            (normalize(m), normalize(g), _ascii(m)[0], _ascii(g))
            for m in txt.FEMALE_MIDDLES
            for g in txt.FEMALE_GIVEN
        ),
        "brands": tuple((normalize(b), _ascii(b)) for b in txt.COMPANY_BRANDS),
    }


def _normalized(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(normalize(t) for t in texts)


_NOTES = {
    "assign": _normalized(txt.ASSIGN_NOTES),
    "transfer": _normalized(txt.TRANSFER_NOTES),
    "acknowledge": _normalized(txt.ACKNOWLEDGE_NOTES),
    "request_transfer": _normalized(txt.REQUEST_TRANSFER_NOTES),
    "progress": _normalized(txt.PROGRESS_NOTES),
    "follow_up": _normalized(txt.FOLLOW_UP_NOTES),
}
_FIELD_CUMULATIVE = {
    _CITIZEN: _cumulative([txt.FIELD_TEXTS[f.code].citizen_weight for f in FIELDS]),
    _BUSINESS: _cumulative([txt.FIELD_TEXTS[f.code].business_weight for f in FIELDS]),
}
_FIELD_CODES = tuple(f.code for f in FIELDS)
_WE = {
    _CITIZEN: (txt.phrase("tôi"), txt.phrase("Tôi")),
    _BUSINESS: (txt.phrase("chúng tôi"), txt.phrase("Chúng tôi")),
}


# --- one chunk -------------------------------------------------------------

Row = tuple[Any, ...]


@dataclass
class ChunkRows:
    """The rows of one chunk, per table, in `TABLE_COLUMNS` order."""

    tables: dict[str, list[Any]]
    end: Position


class _Case:
    """The moving state of one petition while its history is simulated."""

    __slots__ = (
        "accepted",
        "accepted_w",
        "agency",
        "answered",
        "assignment",
        "channel",
        "clock",
        "clock_w",
        "closed",
        "code",
        "deadline",
        "duplicate_of",
        "escalated",
        "escalation",
        "field",
        "follow_ups",
        "kind",
        "last_answer",
        "m",
        "on_time",
        "pid",
        "private",
        "province",
        "rejection",
        "response_days",
        "s",
        "score",
        "status",
        "subject",
        "topic",
        "version",
        "w",
    )

    def __init__(self, pid: int, w: int, s: int, m: int) -> None:
        self.pid = pid
        self.w = w  # working-day index of the latest event
        self.s = s  # its seconds into the local day
        self.m = m  # its moment (epoch seconds)
        self.status: str | None = None
        self.version = 0
        self.agency: int | None = None
        self.assignment: list[Any] | None = None
        self.accepted: int | None = None
        self.accepted_w = 0
        self.clock: int | None = None
        self.clock_w = 0
        self.deadline: int | None = None
        self.answered: int | None = None
        self.response_days: int | None = None
        self.on_time: bool | None = None
        self.closed: int | None = None
        self.follow_ups = 0
        self.escalation: str | None = None
        self.escalated: int | None = None
        self.score: int | None = None
        self.rejection: str | None = None
        self.duplicate_of: str | None = None
        self.last_answer: int | None = None
        self.province: _Province | None = None
        self.private = False
        self.code = ""
        self.channel = _CITIZEN
        self.kind = _REFLECTION
        self.subject = ""
        self.field = ""
        self.topic: txt.Phrase = ("", "")


class _ChunkBuilder:
    """Generates the rows of chunk `index` of a load."""

    def __init__(self, spec: LoadSpec, index: int, start: Position) -> None:
        self.spec = spec
        self.cal = _calendar(spec.now)
        self.totals = _day_totals(spec.seed, spec.total, spec.now)
        self.provinces, self.province_cumulative = _provinces()
        self.people = _people()
        self.r = Random(f"pakn-demo:{spec.seed}:chunk:{index}").random
        self.first = index * CHUNK
        self.stop = min(spec.total, self.first + CHUNK)
        self.first_pid = start.petition - self.first
        self.start = start
        self.next_assignment = start.assignment
        self.next_answer = start.answer
        self.next_event = start.event
        names = {ref.code: normalize(ref.name) for ref in agencies()}
        self.agency_names = {i: names.get(code, code) for code, i in spec.agency_ids.items()}
        self.agency_codes = {i: code for code, i in spec.agency_ids.items()}
        self.ubnd = {p.code: spec.agency_ids[f"UBND-{p.code}"] for p in self.provinces}
        self.province_agencies = frozenset(self.ubnd.values())
        self.ministry_ids = tuple(spec.agency_ids[m.code] for m in MINISTRIES)
        self.field_ministries = {
            code: tuple(spec.agency_ids[m] for m in text.ministries)
            for code, text in txt.FIELD_TEXTS.items()
        }
        self.vpcp = spec.agency_ids[GOVERNMENT_OFFICE_CODE]
        self.petitions: list[Row] = []
        self.contacts: list[Row] = []
        self.assignments: list[list[Any]] = []
        self.answers: list[Row] = []
        self.ratings: list[Row] = []
        self.events: list[Row] = []

    def build(self) -> ChunkRows:
        for g in range(self.first, self.stop):
            self._petition(g)
        events, head = _chain(self.events, self.start.chain_head, _formats(self.spec.now).iso)
        tables = {
            "petitions": self.petitions,
            "petitioner_contacts": self.contacts,
            "assignments": self.assignments,
            "answers": self.answers,
            "ratings": self.ratings,
            "petition_events": events,
        }
        end = Position(
            self.start.petition + (self.stop - self.first),
            self.next_assignment,
            self.next_answer,
            self.next_event,
            head,
        )
        return ChunkRows(tables, end)

    # -- random choices

    def _int(self, low: int, high: int) -> int:
        return low + int(self.r() * (high - low + 1))

    def _pick(self, items: Sequence[Any]) -> Any:
        return items[int(self.r() * len(items))]

    def _weighted(self, cumulative: Sequence[float]) -> int:
        return min(bisect_right(cumulative, self.r()), len(cumulative) - 1)

    def _pick_weighted(self, pairs: Sequence[tuple[str, int]]) -> str:
        x = self.r() * sum(weight for _value, weight in pairs)
        for value, weight in pairs:
            x -= weight
            if x < 0:
                return value
        return pairs[-1][0]

    # -- time

    def _submission_day(self, g: int) -> int:
        return self.cal.first + bisect_right(self.totals, g)

    def _submission(self, g: int) -> tuple[int, int]:
        """Petition `g`'s working day and second: the day's petitions spread evenly over
        office hours, in id order."""
        i = bisect_right(self.totals, g)
        before = self.totals[i - 1] if i else 0
        count = self.totals[i] - before
        span = _OFFICE_END - _OFFICE_START
        return self.cal.first + i, _OFFICE_START + int((g - before + self.r()) * span / count)

    def _at(self, c: _Case, day: int) -> bool:
        """Move `c` to a random office-hour moment of working day `day` (at least a minute
        after its latest event); False, moving nothing, if that would be after now."""
        if day <= c.w:
            day = c.w
            low = c.s + 60
            if low >= _OFFICE_END:
                day += 1
                low = _OFFICE_START
        else:
            low = _OFFICE_START
        if day > self.cal.today:
            return False
        s = low + int(self.r() * (_OFFICE_END - low))
        m = self.cal.midnight[day] + s
        if m > self.cal.now:
            return False
        c.w, c.s, c.m = day, s, m
        return True

    def _after(self, c: _Case, low: int, high: int) -> bool:
        return self._at(c, c.w + self._int(low, high))

    def _recent_day(self) -> int:
        """A working day in the last four weeks or so."""
        return self.cal.today - self._int(0, 18)

    def _start_clock(self, c: _Case) -> None:
        c.clock = c.m
        c.clock_w = c.w
        c.deadline = self.cal.midnight[c.w + RESPONSE_WORKING_DAYS] + _END_OF_DAY

    # -- one petition

    def _petition(self, g: int) -> None:
        r = self.r
        w, s = self._submission(g)
        c = _Case(self.first_pid + g, w, s, self.cal.midnight[w] + s)
        submitted = c.m
        c.code = tracking_code(c.pid, self.cal.years[w])
        c.channel = _BUSINESS if r() < 0.2 else _CITIZEN
        c.field = _FIELD_CODES[self._weighted(_FIELD_CUMULATIVE[c.channel])]
        c.subject, _weight, reflections = _SUBJECTS[self._weighted(_SUBJECT_CUMULATIVE)]
        c.kind = _REFLECTION if r() < reflections else _RECOMMENDATION
        planned = self._route(c)
        c.private = private = r() < 0.1
        values = self._values(c)
        title, title_fold = self._pick(txt.TITLES[(c.subject, c.kind)]).render(values)
        body, body_fold = self._body(c, values)
        self.contacts.append(self._contact(c))
        self._history(c, g, self._target(w), planned)
        self.petitions.append(
            (
                c.pid,
                c.code,
                c.channel,
                c.kind,
                c.subject,
                title,
                body,
                private,
                self.spec.field_ids[c.field],
                c.province.code if c.province else None,
                c.status,
                c.agency,
                submitted,
                c.accepted,
                c.clock,
                c.deadline,
                c.answered,
                c.response_days,
                c.on_time,
                c.closed,
                c.follow_ups,
                c.escalation,
                c.rejection,
                c.duplicate_of,
                c.version,
                "" if private else f"{title_fold} {body_fold}",
                c.escalated,
                c.score,
            )
        )

    def _route(self, c: _Case) -> int:
        """Choose the province and the agency the petition will first be assigned to."""
        province = self.provinces[self._weighted(self.province_cumulative)]
        if self.r() < _LOCAL_SHARE.get(c.subject, 0.5):
            c.province = province
            return self.ubnd[province.code]
        c.province = None if self.r() < 0.15 else province
        if self.r() < 0.9:
            return self._pick(self.field_ministries[c.field])
        return self.spec.agency_ids["TTCP"]

    def _other_agency(self, c: _Case) -> int:
        """Where a transfer goes: a competent ministry, or the province's committee."""
        ministries = self.field_ministries[c.field]
        if c.agency in self.province_agencies:
            return self._pick(ministries)
        if c.province is not None and self.r() < 0.5:
            return self.ubnd[c.province.code]
        others = [m for m in ministries if m != c.agency]
        return self._pick(others or [m for m in self.ministry_ids if m != c.agency])

    def _target(self, w: int) -> str:
        age_days = self.cal.today - w
        if age_days < 25 and self.r() < (0.9 if age_days < 3 else 0.62):
            return _SUBMITTED
        age = age_days / max(1, self.cal.today - self.cal.first)
        weights = [base * (1 + slope * (age - 0.5)) for _s, base, slope in _STATUS_ODDS]
        x = self.r() * sum(weights)
        for (status, _base, _slope), weight in zip(_STATUS_ODDS, weights, strict=True):
            x -= weight
            if x < 0:
                return status
        return _CLOSED

    # -- text

    def _values(self, c: _Case) -> dict[str, txt.Phrase]:
        field = txt.FIELD_TEXTS[c.field]
        c.topic = self._pick(field.topics)
        we, we_capitalised = _WE[c.channel]
        roles = txt.BUSINESS_ROLES if c.channel == _BUSINESS else txt.CITIZEN_ROLES
        day = self.cal.days[c.w - self._int(5, 45)]
        return {
            "topic": c.topic,
            "procedure": self._pick(field.procedures),
            "idea": self._pick(field.ideas),
            "office": self._pick(field.offices),
            "place": c.province.place if c.province else _LOCAL_PLACE,
            "who": self._pick(roles),
            "we": we,
            "We": we_capitalised,
            "d": _NUMBERS[day.day],
            "m": _NUMBERS[day.month],
            "y": _YEARS[day.year],
            "n": _NUMBERS[self._int(5, 45)],
            "k": _NUMBERS[self._int(2, 6)],
        }

    def _body(self, c: _Case, values: dict[str, txt.Phrase]) -> txt.Phrase:
        """Salutation, who is writing and what happened, impact and request, closing; a
        few long petitions elaborate in between."""
        r = self.r
        opening: list[list[txt.Phrase]] = []
        if r() < 0.35:
            opening.append([self._pick(txt.SALUTATIONS).render(values)])
        intro = self._pick(txt.BUSINESS_INTROS if c.channel == _BUSINESS else txt.CITIZEN_INTROS)
        problems = txt.PROBLEMS[c.subject]
        first = self._int(0, len(problems) - 1)
        main = [intro.render(values), problems[first].render(values)]
        if r() < 0.2:
            main.append(problems[(first + 1) % len(problems)].render(values))
        opening.append(main)
        ending = [[self._pick(txt.REQUESTS[c.kind]).render(values)]]
        if r() < 0.35:
            ending[0].insert(0, self._pick(txt.IMPACTS).render(values))
        if r() < 0.6:
            ending.append([self._pick(txt.CLOSINGS).render(values)])
        paragraphs = opening + ending
        if r() < 0.015:
            room = _MAX_BODY - len(_paragraphs_text(paragraphs)) - 2
            paragraphs = opening + self._elaboration(values, room) + ending
        return _paragraphs_text(paragraphs), " ".join(f for p in paragraphs for _t, f in p if f)

    def _elaboration(self, values: dict[str, txt.Phrase], room: int) -> list[list[txt.Phrase]]:
        """Extra paragraphs for the few long petitions, within `room` characters."""
        target = min(room, self._int(1_000, 9_500))
        paragraphs: list[list[txt.Phrase]] = []
        length = 0
        while True:
            paragraph = [self._pick(txt.ELABORATIONS).render(values) for _ in range(3)]
            size = sum(len(t) + 1 for t, _f in paragraph) + 1
            if length + size > target:
                return paragraphs
            length += size
            paragraphs.append(paragraph)

    def _contact(self, c: _Case) -> Row:
        r = self.r
        surname, surname_ascii = self._pick(self.people["surnames"])
        middle, given, middle_initial, given_ascii = self._pick(
            self.people["female" if r() < 0.5 else "male"]
        )
        province = c.province or self.provinces[self._weighted(self.province_cumulative)]
        address = None
        if r() < 0.8:
            address = (
                f"Số {self._int(1, 250)}, {self._pick(txt.STREETS)}, {self._pick(txt.WARDS)}, "
                f"{province.address}"
            )
        phone = None
        if r() < 0.9:
            phone = f"{self._pick(txt.PHONE_PREFIXES)}{int(r() * 100_000_000):08d}"
        full_name = f"{surname} {middle} {given}"
        if c.channel == _BUSINESS:
            brand, brand_ascii = self._pick(self.people["brands"])
            organization = (
                f"{self._pick(txt.COMPANY_FORMS)} {self._pick(txt.COMPANY_TRADES)} {brand}"
            )
            tax_code = f"{self._int(100_000_000, 9_999_999_999):010d}"
            if r() < 0.2:
                tax_code += f"{self._int(1, 20):03d}"
            email = None
            if phone is None or r() < 0.9:
                email = f"{given_ascii}.{surname_ascii}@{brand_ascii}.com.vn"
            return (c.pid, full_name, email, phone, address, organization, tax_code)
        email = None
        if phone is None or r() < 0.75:
            email = (
                f"{given_ascii}{surname_ascii[0]}{middle_initial}{self._int(60, 99)}"
                f"@{self._pick(txt.EMAIL_DOMAINS)}"
            )
        return (c.pid, full_name, email, phone, address, None, None)

    # -- history: which steps, in which order

    def _history(self, c: _Case, g: int, target: str, planned: int) -> None:
        self._emit(c, _SUBMIT, _SUBMITTED, _PETITIONER, None, None)
        if target == _SUBMITTED:
            return
        if target == _REJECTED:
            self._reject(c, g)
            return
        if not self._assign(c, planned):
            return
        for _ in range(self._transfer_count()):
            if not self._transfer_cycle(c):
                return
        if target == _ASSIGNED:
            if self.r() < 0.5:  # moved on lately, after the first agency declined
                day = self.cal.today - self._int(6, 25)
                _ = self._request_transfer(c, day) and self._transfer(c)
        elif target == _TRANSFER_REQUESTED:
            _ = self._maybe_acknowledge(c, 0.5) and self._request_transfer(c)
        elif target == _ESCALATED:
            self._escalated(c)
        elif self._acknowledge(c):
            if target == _IN_PROGRESS:
                self._in_progress(c)
            elif self._answered(c) and target == _CLOSED:
                self._rate(c)

    def _transfer_count(self) -> int:
        x = self.r()
        return 0 if x < 0.9 else 1 if x < 0.99 else 2

    def _transfer_cycle(self, c: _Case) -> bool:
        return self._maybe_acknowledge(c, 0.4) and self._request_transfer(c) and self._transfer(c)

    def _escalated(self, c: _Case) -> None:
        """Three roads to the Government: its own authority, agencies that disagree, and
        a petitioner who keeps raising it (the second follow-up escalates by itself)."""
        x = self.r()
        if x < 0.4:
            reached = (
                self._acknowledge(c) and self._updates(c, self._int(0, 1))
                if self.r() < 0.7
                else True
            )
            reached = reached and self._escalate(c, _GOVERNMENT_AUTHORITY)
        elif x < 0.7:
            reached = (
                self._maybe_acknowledge(c, 0.5)
                and self._request_transfer(c)
                and self._escalate(c, _DISAGREEMENT)
            )
        else:
            reached = self._acknowledge(c) and self._repeated_complaint(c)
        if reached and self.r() < 0.5:
            self._government_update(c)

    def _repeated_complaint(self, c: _Case) -> bool:
        """Answer, follow-up, answer, follow-up: the second follow-up escalates."""
        return (
            self._answer(c)
            and self._follow_up(c)
            and self._updates(c, self._int(0, 1))
            and self._answer(c)
            and self._follow_up(c)
        )

    def _in_progress(self, c: _Case) -> None:
        """Regular updates until the agency falls silent; often a reminder from the
        Government Office brings a late update in the last weeks."""
        if self.r() < 0.15 and not (self._answer(c) and self._follow_up(c)):
            return
        for _ in range(12):
            if self.r() < 0.2:
                break
            if not self._progress_update(c):
                return
        if self.r() < 0.6:
            self._progress_update(c, self._recent_day())

    def _answered(self, c: _Case) -> bool:
        x = self.r()
        if x < 0.06:
            return (
                self._updates(c, self._few())
                and self._answer(c)
                and self._follow_up(c)
                and self._updates(c, self._few())
                and self._answer(c)
            )
        if x < 0.09:
            return self._escalate(c, _GOVERNMENT_AUTHORITY) and self._answer(c, government=True)
        if x < 0.11:
            return self._repeated_complaint(c) and self._answer(c, government=True)
        return self._updates(c, self._few()) and self._answer(c)

    def _few(self) -> int:
        x = self.r()
        return 0 if x < 0.7 else 1 if x < 0.9 else 2

    def _updates(self, c: _Case, count: int) -> bool:
        return all(self._progress_update(c) for _ in range(count))

    # -- history: the steps

    def _emit(
        self,
        c: _Case,
        action: str,
        to: str,
        role: str,
        agency: int | None,
        note: str | None,
        public: bool = True,
    ) -> None:
        self.events.append(
            (self.next_event, c.pid, action, c.status, to, c.m, role, agency, note, public)
        )
        self.next_event += 1
        c.status = to
        c.version += 1

    def _note(self, key: str, agency: int | None = None) -> str:
        note = self._pick(_NOTES[key])
        return note.format(agency=self.agency_names[agency]) if agency is not None else note

    def _reject(self, c: _Case, g: int) -> bool:
        if not self._after(c, 0, 3):
            return False
        reason = self._pick_weighted(_REJECTIONS)
        if reason == _DUPLICATE and g == 0:
            reason = RejectionReason.INSUFFICIENT_INFO.value
        if reason == _DUPLICATE:
            earlier = g - 1 - int(self.r() * min(g, 3_000))
            year = self.cal.years[self._submission_day(earlier)]
            c.duplicate_of = tracking_code(self.first_pid + earlier, year)
        c.rejection = reason
        note = normalize(self._pick(txt.REJECT_NOTES[reason]).format(code=c.duplicate_of))
        self._emit(c, _REJECT, _REJECTED, _COORDINATOR, None, note)
        return True

    def _assign(self, c: _Case, agency: int) -> bool:
        if not self._after(c, 0, 3):
            return False
        c.accepted = c.m
        c.accepted_w = c.w
        self._start_clock(c)
        self._open_assignment(c, agency)
        self._emit(c, _ASSIGN, _ASSIGNED, _COORDINATOR, agency, self._note("assign", agency))
        return True

    def _open_assignment(self, c: _Case, agency: int) -> None:
        row = [self.next_assignment, c.pid, agency, c.m, None, None]
        self.next_assignment += 1
        self.assignments.append(row)
        c.assignment = row
        c.agency = agency

    def _maybe_acknowledge(self, c: _Case, probability: float) -> bool:
        return self._acknowledge(c) if self.r() < probability else True

    def _acknowledge(self, c: _Case) -> bool:
        if not self._after(c, 0, 5):
            return False
        note = self._note("acknowledge") if self.r() < 0.5 else None
        self._emit(c, _ACKNOWLEDGE, _IN_PROGRESS, _OFFICER, c.agency, note)
        return True

    def _request_transfer(self, c: _Case, day: int | None = None) -> bool:
        if not self._at(c, c.w + self._int(1, 8) if day is None else day):
            return False
        note = self._note("request_transfer")
        self._emit(c, _REQUEST_TRANSFER, _TRANSFER_REQUESTED, _OFFICER, c.agency, note, False)
        return True

    def _transfer(self, c: _Case) -> bool:
        """To another agency, whose 20 working days start now."""
        if not self._after(c, 1, 5):
            return False
        agency = self._other_agency(c)
        assert c.assignment is not None
        c.assignment[4] = c.m
        c.assignment[5] = "TRANSFERRED"
        self._open_assignment(c, agency)
        self._start_clock(c)
        self._emit(c, _TRANSFER, _ASSIGNED, _COORDINATOR, agency, self._note("transfer", agency))
        return True

    def _progress_update(self, c: _Case, day: int | None = None) -> bool:
        """A public update, usually within the 20 days; it restarts the clock."""
        if day is None:
            late = self.r() < 0.15
            day = c.clock_w + (self._int(21, 35) if late else self._int(5, 19))
        if not self._at(c, day):
            return False
        self._start_clock(c)
        self._emit(c, _PROGRESS_UPDATE, _IN_PROGRESS, _OFFICER, c.agency, self._note("progress"))
        return True

    def _government_update(self, c: _Case) -> bool:
        """The Government Office reports progress on an escalated petition, lately."""
        if not self._at(c, self._recent_day()):
            return False
        self._start_clock(c)
        note = self._note("progress")
        self._emit(c, _PROGRESS_UPDATE, _ESCALATED, _COORDINATOR, c.agency, note)
        return True

    def _answer_delay(self) -> int:
        x = self.r()
        if x < 0.72:
            return self._int(2, 19)
        if x < 0.8:
            return RESPONSE_WORKING_DAYS
        return self._int(21, 60)

    def _answer(self, c: _Case, *, government: bool = False) -> bool:
        """An answer by the agency (or, for an escalated petition, the Government Office),
        sealed with its key; the first fixes the response time and whether it was on time."""
        if not self._at(c, c.clock_w + self._answer_delay()):
            return False
        agency = self.vpcp if government else c.agency
        assert agency is not None and c.deadline is not None
        answer_id = self.next_answer
        self.next_answer += 1
        body = self._answer_body(c, agency)
        key_id, private_key = self.spec.keys[agency]
        answered_at = datetime.fromtimestamp(c.m, UTC)
        signature = sign_answer(private_key, c.code, self.agency_codes[agency], body, answered_at)
        self.answers.append((answer_id, c.pid, agency, body, c.m, signature, key_id))
        c.last_answer = answer_id
        if c.answered is None:
            c.answered = c.m
            c.response_days = c.w - c.accepted_w
            c.on_time = c.m <= c.deadline
        role = _COORDINATOR if government else _OFFICER
        note = self._pick(txt.ANSWER_NOTES)
        self._emit(c, _ANSWER, _ANSWERED, role, agency, note and normalize(note))
        return True

    def _answer_body(self, c: _Case, agency: int) -> str:
        values = {
            "agency": self.agency_names[agency],
            "kind": "phản ánh" if c.kind == _REFLECTION else "kiến nghị",
            "addressee": "Quý doanh nghiệp" if c.channel == _BUSINESS else "ông/bà",
            "topic": c.topic[0],
            "n": self._int(10, 180),
            "y": self.cal.years[c.w] - self._int(0, 4),
            "k": self._int(5, 15),
        }
        parts = (
            self._pick(txt.ANSWER_OPENINGS),
            self._pick(txt.ANSWER_SUBSTANCES),
            self._pick(txt.ANSWER_CLOSINGS),
        )
        return normalize("\n\n".join(part.format(**values) for part in parts))

    def _rate(self, c: _Case) -> bool:
        if not self._after(c, 0, 15):
            return False
        mood = "disputed" if c.follow_ups else "pleased" if c.on_time else "late"
        score = 1 + self._weighted(_SCORE_CUMULATIVE[mood])
        comment = None
        if self.r() < 0.45:
            comment = normalize(self._pick(txt.RATING_COMMENTS[score]))
        self.ratings.append((c.pid, c.last_answer, score, comment, c.m))
        c.score = score
        c.closed = c.m
        self._emit(c, _RATE, _CLOSED, _PETITIONER, c.agency, None)
        return True

    def _follow_up(self, c: _Case) -> bool:
        """The petitioner disputes the answer: back to IN_PROGRESS with a new clock; the
        second follow-up escalates the petition at once (by SYSTEM, a second later). Its
        note is the petitioner's text, public unless the petition is private."""
        if not self._after(c, 0, 15):
            return False
        escalates = c.follow_ups == 1
        if escalates and c.m + 1 > self.cal.now:
            return False
        c.follow_ups += 1
        self._start_clock(c)
        note = self._note("follow_up")
        self._emit(c, _FOLLOW_UP, _IN_PROGRESS, _PETITIONER, c.agency, note, not c.private)
        if escalates:
            c.s += 1
            c.m += 1
            c.escalation = _REPEATED
            if c.escalated is None:
                c.escalated = c.m
            note = normalize(self._pick(txt.ESCALATE_NOTES[_REPEATED]))
            self._emit(c, _ESCALATE, _ESCALATED, _SYSTEM, c.agency, note)
        return True

    def _escalate(self, c: _Case, reason: str) -> bool:
        if not self._after(c, 1, 10):
            return False
        c.escalation = reason
        if c.escalated is None:
            c.escalated = c.m
        self._start_clock(c)
        note = normalize(self._pick(txt.ESCALATE_NOTES[reason]))
        self._emit(c, _ESCALATE, _ESCALATED, _COORDINATOR, c.agency, note)
        return True


def _paragraphs_text(paragraphs: list[list[txt.Phrase]]) -> str:
    return "\n\n".join(" ".join(text for text, _folded in p) for p in paragraphs)


def build_chunk(spec: LoadSpec, index: int, start: Position) -> ChunkRows:
    """The rows of chunk `index` (petitions `index * CHUNK` onwards), starting at `start`."""
    return _ChunkBuilder(spec, index, start).build()


def _chunk_count(total: int) -> int:
    return (total + CHUNK - 1) // CHUNK


# --- moments as text, the event chain --------------------------------------


class _Formats(NamedTuple):
    pg: Callable[[int | None], str]
    """moment -> PostgreSQL COPY text of a timestamptz (NULL marker for None)."""
    iso: Callable[[int], str]
    """moment -> `app.domain.chain`'s canonical UTC time, e.g. 2026-03-02T02:30:00.000000Z."""


@cache
def _formats(now: int) -> _Formats:
    """Formatting by table lookup: a date string per day, a time string per second."""
    cal = _calendar(now)
    base = cal.midnight[0] // _DAY - 1
    end = cal.midnight[-1] // _DAY + 2
    dates = tuple(
        datetime.fromtimestamp(day * _DAY, UTC).date().isoformat() for day in range(base, end)
    )
    clock = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(_DAY))
    pg_clock = tuple(f" {t}+00" for t in clock)
    iso_clock = tuple(f"T{t}.000000Z" for t in clock)

    def pg(moment: int | None) -> str:
        if moment is None:
            return _NULL
        return dates[moment // _DAY - base] + pg_clock[moment % _DAY]

    def iso(moment: int) -> str:
        return dates[moment // _DAY - base] + iso_clock[moment % _DAY]

    return _Formats(pg, iso)


def _chain(events: list[Row], head: str, iso: Callable[[int], str]) -> tuple[list[Row], str]:
    """Append `previous_hash` and `hash` to each event row, continuing the chain from
    `head`; the canonical encoding of `app.domain.chain` (tests check it against `verify`)."""
    out: list[Row] = []
    sha256 = hashlib.sha256
    dumps = orjson.dumps
    for row in events:
        eid, pid, action, before, after, at, role, agency, note, public = row
        digest = sha256(
            dumps([eid, pid, action, before, after, iso(at), role, agency, note, public, head])
        ).hexdigest()
        out.append((*row, head, digest))
        head = digest
    return out, head


# --- SQLite and other dialects ---------------------------------------------


def _aware(moment: int | None) -> datetime | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC)


def _dicts(table: str, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    columns = TABLE_COLUMNS[table]
    moments = [columns.index(name) for name in _MOMENT_COLUMNS[table]]
    out: list[dict[str, Any]] = []
    for row in rows:
        values = list(row)
        for index in moments:
            values[index] = _aware(values[index])
        out.append(dict(zip(columns, values, strict=True)))
    return out


async def _load_generic(engine: AsyncEngine, spec: LoadSpec) -> None:
    async with engine.connect() as conn:
        position = await _start_position(conn)
    for index in range(_chunk_count(spec.total)):
        chunk = build_chunk(spec, index, position)
        async with engine.begin() as conn:
            for table, rows in chunk.tables.items():
                if rows:
                    await conn.execute(insert(_TABLES[table]), _dicts(table, rows))
        position = chunk.end


async def _reference_ids(conn: AsyncConnection) -> tuple[dict[str, int], dict[str, int]]:
    agency_ids = {code: i for code, i in (await conn.execute(select(Agency.code, Agency.id)))}
    field_ids = {code: i for code, i in (await conn.execute(select(Field.code, Field.id)))}
    missing = [a.code for a in agencies() if a.code not in agency_ids]
    missing += [f.code for f in FIELDS if f.code not in field_ids]
    if missing:
        raise RuntimeError(
            f"reference data missing ({', '.join(missing[:5])}); run prepare_database first"
        )
    return agency_ids, field_ids


async def _sealing_keys(engine: AsyncEngine, now: datetime) -> dict[int, tuple[str, bytes]]:
    """The current key of every agency, making one for any agency that has none (as
    seeding does), so that every demo answer is sealed like a real one."""
    async with session_factory(engine)() as session:
        await ensure_keys(session, now)
        await session.commit()
        rows = await session.execute(
            select(AgencyKey.agency_id, AgencyKey.key_id, AgencyKey.private_key)
            .where(AgencyKey.retired_at.is_(None))
            .order_by(AgencyKey.agency_id, AgencyKey.created_at.desc(), AgencyKey.key_id)
        )
        keys: dict[int, tuple[str, bytes]] = {}
        for agency_id, key_id, private_key in rows:
            keys.setdefault(agency_id, (key_id, bytes(private_key)))
        return keys


async def _start_position(conn: AsyncConnection) -> Position:
    tables = (Petition, Assignment, Answer, PetitionEvent)
    ids = [
        int((await conn.execute(select(func.coalesce(func.max(t.id), 0)))).scalar_one()) + 1
        for t in tables
    ]
    head = await conn.scalar(select(PetitionEvent.hash).order_by(PetitionEvent.id.desc()).limit(1))
    return Position(*ids, head or GENESIS)


# --- PostgreSQL ------------------------------------------------------------

_NULL = "\\N"


def _esc(value: str | None) -> str:
    if value is None:
        return _NULL
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _opt(value: object) -> object:
    return _NULL if value is None else value


def _flag(value: bool | None) -> str:
    return _NULL if value is None else "t" if value else "f"


def _copy_petitions(rows: Sequence[Row], ts: Callable[[int | None], str]) -> str:
    out = []
    for (
        pid,
        code,
        channel,
        kind,
        subject,
        title,
        body,
        private,
        field,
        province,
        status,
        agency,
        submitted,
        accepted,
        clock_start,
        deadline,
        answered,
        days,
        on_time,
        closed,
        follow_ups,
        escalation,
        rejection,
        duplicate_of,
        version,
        search,
        escalated,
        score,
    ) in rows:
        out.append(
            f"{pid}\t{code}\t{channel}\t{kind}\t{subject}\t{_esc(title)}\t{_esc(body)}\t"
            f"{_flag(private)}\t{_opt(field)}\t{_opt(province)}\t{status}\t{_opt(agency)}\t"
            f"{ts(submitted)}\t{ts(accepted)}\t{ts(clock_start)}\t{ts(deadline)}\t"
            f"{ts(answered)}\t{_opt(days)}\t{_flag(on_time)}\t{ts(closed)}\t{follow_ups}\t"
            f"{_opt(escalation)}\t{_opt(rejection)}\t{_opt(duplicate_of)}\t{version}\t"
            f"{_esc(search)}\t{ts(escalated)}\t{_opt(score)}\n"
        )
    return "".join(out)


def _copy_contacts(rows: Sequence[Row], _ts: Callable[[int | None], str]) -> str:
    return "".join(
        f"{pid}\t{_esc(name)}\t{_esc(email)}\t{_esc(phone)}\t{_esc(address)}\t"
        f"{_esc(organization)}\t{_esc(tax_code)}\n"
        for pid, name, email, phone, address, organization, tax_code in rows
    )


def _copy_assignments(rows: Sequence[Sequence[Any]], ts: Callable[[int | None], str]) -> str:
    return "".join(
        f"{aid}\t{pid}\t{agency}\t{ts(assigned)}\t{ts(ended)}\t{_opt(reason)}\n"
        for aid, pid, agency, assigned, ended, reason in rows
    )


def _copy_answers(rows: Sequence[Row], ts: Callable[[int | None], str]) -> str:
    return "".join(
        f"{aid}\t{pid}\t{agency}\t{_esc(body)}\t{ts(at)}\t{_esc(signature)}\t{_esc(key)}\n"
        for aid, pid, agency, body, at, signature, key in rows
    )


def _copy_ratings(rows: Sequence[Row], ts: Callable[[int | None], str]) -> str:
    return "".join(
        f"{pid}\t{_opt(answer)}\t{score}\t{_esc(comment)}\t{ts(at)}\n"
        for pid, answer, score, comment, at in rows
    )


def _copy_events(rows: Sequence[Row], ts: Callable[[int | None], str]) -> str:
    return "".join(
        f"{eid}\t{pid}\t{action}\t{_opt(before)}\t{after}\t{ts(at)}\t{role}\t{_opt(agency)}\t"
        f"{_esc(note)}\t{'t' if public else 'f'}\t{prev}\t{digest}\n"
        for eid, pid, action, before, after, at, role, agency, note, public, prev, digest in rows
    )


_COPY_WRITERS: dict[str, Callable[[Any, Callable[[int | None], str]], str]] = {
    "petitions": _copy_petitions,
    "petitioner_contacts": _copy_contacts,
    "assignments": _copy_assignments,
    "answers": _copy_answers,
    "ratings": _copy_ratings,
    "petition_events": _copy_events,
}


class CopyChunk(NamedTuple):
    """One chunk as COPY text per table, and where the next chunk starts."""

    tables: dict[str, bytes]
    end: Position


def build_copy_chunk(spec: LoadSpec, index: int, start: Position) -> CopyChunk:
    """Chunk `index` rendered for PostgreSQL's COPY (text format)."""
    chunk = build_chunk(spec, index, start)
    ts = _formats(spec.now).pg
    tables = {
        table: _COPY_WRITERS[table](rows, ts).encode()
        for table, rows in chunk.tables.items()
        if rows
    }
    return CopyChunk(tables, chunk.end)


async def _load_postgres(engine: AsyncEngine, spec: LoadSpec) -> None:
    tables = ", ".join(TABLE_COLUMNS)
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        pg = raw.driver_connection
        assert pg is not None
        async with pg.transaction():
            await pg.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
            await pg.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})")
            start = await _pg_start_position(pg)
            bulk = spec.total >= BULK_MIN and spec.total >= start.petition - 1
            restore = await _drop_indexes_and_foreign_keys(pg) if bulk else []
            await pg.execute("SET LOCAL work_mem = '256MB'")
            await pg.execute("SET LOCAL maintenance_work_mem = '512MB'")
            await pg.execute("SET LOCAL gin_pending_list_limit = '64MB'")
            started = perf_counter()
            await _copy_chunks(pg, spec, start)
            log.info("copied %d petitions in %.1f s", spec.total, perf_counter() - started)
            for statement in restore:
                started = perf_counter()
                await pg.execute(statement)
                log.info("%.1f s: %s", perf_counter() - started, statement)
            for table in _SEQUENCED:
                await pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        await pg.execute(f"ANALYZE {tables}")
        await _flush_gin_pending_lists(pg)


async def _flush_gin_pending_lists(pg: Any) -> None:
    """Move what the COPY left in GIN pending lists into the indexes, so that searches
    need not scan an unsorted list until autovacuum gets round to it."""
    names = await pg.fetch(
        """SELECT i.indexrelid::regclass::text AS name
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_am am ON am.oid = ic.relam
           WHERE i.indrelid = ANY($1::regclass[]) AND am.amname = 'gin'""",
        list(TABLE_COLUMNS),
    )
    for row in names:
        await pg.execute("SELECT gin_clean_pending_list($1::regclass)", row["name"])


async def _pg_start_position(pg: Any) -> Position:
    ids = [await pg.fetchval(f"SELECT coalesce(max(id), 0) + 1 FROM {t}") for t in _SEQUENCED]
    head = await pg.fetchval("SELECT hash FROM petition_events ORDER BY id DESC LIMIT 1")
    return Position(*ids, head or GENESIS)


async def _copy_chunks(pg: Any, spec: LoadSpec, start: Position) -> None:
    """COPY every chunk; large loads render them in a producer process meanwhile."""
    count = _chunk_count(spec.total)
    if spec.total < PARALLEL_MIN:
        for index in range(count):
            chunk = build_copy_chunk(spec, index, start)
            await _copy_chunk(pg, chunk.tables)
            start = chunk.end
        return
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue(maxsize=4)
    producer = context.Process(target=_produce, args=(spec, start, queue), daemon=True)
    producer.start()
    try:
        for _ in range(count):
            item = await asyncio.to_thread(_next_item, queue, producer)
            if isinstance(item, str):
                raise RuntimeError(f"demo data producer failed:\n{item}")
            await _copy_chunk(pg, item)
    finally:
        if producer.is_alive():
            producer.terminate()
        await asyncio.to_thread(producer.join)
        queue.close()


def _produce(spec: LoadSpec, start: Position, queue: Any) -> None:
    """The producer process: render chunks in order onto `queue` (a traceback on failure)."""
    try:
        for index in range(_chunk_count(spec.total)):
            chunk = build_copy_chunk(spec, index, start)
            queue.put(chunk.tables)
            start = chunk.end
    except BaseException:
        queue.put(traceback.format_exc())
        raise


def _next_item(queue: Any, producer: Any) -> dict[str, bytes] | str:
    while True:
        try:
            return queue.get(timeout=1.0)
        except Empty:
            if not producer.is_alive():
                return f"the producer process exited with code {producer.exitcode}"


async def _copy_chunk(pg: Any, tables: dict[str, bytes]) -> None:
    for table, data in tables.items():
        await pg.copy_to_table(
            table, source=memoryview(data), columns=list(TABLE_COLUMNS[table]), format="text"
        )


async def _drop_indexes_and_foreign_keys(pg: Any) -> list[str]:
    """Drop the foreign keys and the btree indexes not backing a constraint, of the loaded
    tables, in the current transaction; return the statements that recreate them."""
    tables = list(TABLE_COLUMNS)
    foreign_keys = await pg.fetch(
        """SELECT conrelid::regclass::text AS tbl, quote_ident(conname) AS name,
                  pg_get_constraintdef(oid) AS definition
           FROM pg_constraint
           WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
           ORDER BY conrelid, conname""",
        tables,
    )
    indexes = await pg.fetch(
        """SELECT i.indexrelid::regclass::text AS name,
                  pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_am am ON am.oid = ic.relam
           WHERE i.indrelid = ANY($1::regclass[]) AND am.amname = 'btree'
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
           ORDER BY i.indrelid, i.indexrelid""",
        tables,
    )
    for fk in foreign_keys:
        await pg.execute(f"ALTER TABLE {fk['tbl']} DROP CONSTRAINT {fk['name']}")
    for index in indexes:
        await pg.execute(f"DROP INDEX {index['name']}")
    return [index["definition"] for index in indexes] + [
        f"ALTER TABLE {fk['tbl']} ADD CONSTRAINT {fk['name']} {fk['definition']}"
        for fk in foreign_keys
    ]
