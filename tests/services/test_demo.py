"""The demo loader: deterministic, coherent histories, valid text, a sound event chain.

Most tests read one module-wide SQLite database of 500 demo petitions; the PostgreSQL tests
(skipped when no server answers) check that COPY stores exactly what SQLite stores, also on
the producer-process and drop-and-rebuild paths that large loads take.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.demo import count_petitions, load_demo, postgres_loader
from app.demo.chunk import build_chunk
from app.demo.rows import TABLE_COLUMNS
from app.demo.spec import CHUNK, LoadSpec, Position
from app.demo.wording.template import Template
from app.domain.chain import GENESIS
from app.domain.reference import FIELDS, GOVERNMENT_OFFICE_CODE, agencies, province_codes
from app.domain.signing import new_key_pair, verify_answer
from app.domain.text import fold
from app.domain.timezone import VN_TZ
from app.domain.validation import PetitionerData, SubmissionData, validate_submission
from app.domain.vocabulary import OPEN_STATUSES, Action, ActorRole, PetitionStatus, tracking_code
from app.domain.workflow import TRANSITIONS
from app.domain.working_days import deadline_after, elapsed_working_days, is_working_day, local_date
from db.bootstrap import prepare_database
from db.engine import create_engine, session_factory
from db.event_log import verify
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
from tests.support.databases import fresh_database

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
PETITIONS = 500
VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]")
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Petition, PetitionerContact, Assignment, Answer, Rating, PetitionEvent)
)


async def _loaded(url: str, petitions: int, seed: int) -> AsyncEngine:
    await prepare_database(url)
    engine = create_engine(url)
    assert await load_demo(engine, petitions, seed, now=NOW) == petitions
    return engine


KEY_DEPENDENT = {"signature", "key_id"}
"""Answer columns that depend on the database's own (random) agency keys."""


async def _rows(engine: AsyncEngine, table: Table) -> list[tuple[Any, ...]]:
    columns = [c for c in table.columns if c.name not in KEY_DEPENDENT]
    async with engine.connect() as conn:
        result = await conn.execute(select(*columns).order_by(*table.primary_key.columns))
        return [tuple(row) for row in result]


async def _all(engine: AsyncEngine, model: Any) -> list[Any]:
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(model).order_by(*model.__table__.primary_key)))


@pytest.fixture(scope="module")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    folder = tmp_path_factory.mktemp("demo")
    loaded = await _loaded(f"sqlite+aiosqlite:///{folder}/t.db", PETITIONS, 1)
    yield loaded
    await loaded.dispose()


@pytest.fixture(scope="module")
async def data(engine: AsyncEngine) -> dict[str, Any]:
    agencies = await _all(engine, Agency)
    return {
        "petitions": await _all(engine, Petition),
        "contacts": {c.petition_id: c for c in await _all(engine, PetitionerContact)},
        "events": await _all(engine, PetitionEvent),
        "answers": await _all(engine, Answer),
        "assignments": await _all(engine, Assignment),
        "ratings": {r.petition_id: r for r in await _all(engine, Rating)},
        "agencies": {a.id: a for a in agencies},
        "fields": {f.id: f.code for f in await _all(engine, Field)},
        "keys": {k.key_id: k for k in await _all(engine, AgencyKey)},
    }


def _by_petition(rows: list[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.petition_id].append(row)
    return grouped


# --- determinism -----------------------------------------------------------


async def test_same_seed_gives_the_same_rows(tmp_path: Path, engine: AsyncEngine) -> None:
    again = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/again.db", PETITIONS, 1)
    other = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/other.db", PETITIONS, 2)
    try:
        for table in TABLES:
            assert await _rows(again, table) == await _rows(engine, table), table.name
        titles = [row[5] for row in await _rows(other, Petition.__table__)]
        assert titles != [row[5] for row in await _rows(engine, Petition.__table__)]
    finally:
        await again.dispose()
        await other.dispose()


async def test_a_second_load_appends_and_continues_the_chain(tmp_path: Path) -> None:
    engine = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/twice.db", 120, 5)
    try:
        assert await load_demo(engine, 80, 6, now=NOW) == 80
        assert await count_petitions(engine) == 200
        petitions = await _all(engine, Petition)
        assert [p.id for p in petitions] == list(range(1, 201))
        assert len({p.tracking_code for p in petitions}) == 200
        events = await _all(engine, PetitionEvent)
        assert [e.id for e in events] == list(range(1, len(events) + 1))
        async with session_factory(engine)() as session:
            assert await verify(session) == (len(events), None)
    finally:
        await engine.dispose()


# --- the mix ---------------------------------------------------------------


def test_every_status_channel_kind_and_subject_is_present(data: dict[str, Any]) -> None:
    petitions = data["petitions"]
    statuses = Counter(p.status for p in petitions)
    assert set(statuses) == set(PetitionStatus)
    assert 0.2 < statuses["CLOSED"] / PETITIONS < 0.5
    assert {p.channel for p in petitions} == {"CITIZEN", "BUSINESS"}
    assert {p.kind for p in petitions} == {"REFLECTION", "RECOMMENDATION"}
    assert len({p.subject for p in petitions}) == 5
    assert 0.03 < sum(p.is_private for p in petitions) / PETITIONS < 0.2
    assert 0.1 < sum(p.channel == "BUSINESS" for p in petitions) / PETITIONS < 0.3
    actions = {e.action for e in data["events"]}
    # featuring is the Government Office's own judgement: the demo features nothing
    assert actions == set(Action) - {Action.FEATURE}
    open_petitions = [p for p in petitions if p.status in OPEN_STATUSES]
    overdue = [p for p in open_petitions if p.deadline_at < NOW]
    assert 0 < len(overdue) < len(open_petitions)
    answered = [p for p in petitions if p.answered_at is not None]
    assert 0 < sum(not p.answered_on_time for p in answered) < len(answered) / 2


# --- coherent histories ----------------------------------------------------


def test_histories_follow_the_workflow(data: dict[str, Any]) -> None:
    events = _by_petition(data["events"])
    for petition in data["petitions"]:
        history = events[petition.id]
        assert history[0].action == "SUBMIT" and history[0].from_status is None
        assert history[0].at == petition.submitted_at
        for before, after in pairwise(history):
            assert after.id > before.id and after.at > before.at
            assert after.from_status == before.to_status
            step = TRANSITIONS[(PetitionStatus(after.from_status), Action(after.action))]
            assert step.target == after.to_status
            assert after.actor_role in step.roles
        assert history[-1].to_status == petition.status
        assert petition.version == len(history)


def test_petition_facts_match_the_history(data: dict[str, Any]) -> None:
    events = _by_petition(data["events"])
    answers = _by_petition(data["answers"])
    assignments = _by_petition(data["assignments"])
    agencies = data["agencies"]
    codes = {p.tracking_code: p for p in data["petitions"]}
    for petition in data["petitions"]:
        history = events[petition.id]
        year = local_date(petition.submitted_at).year
        assert petition.tracking_code == tracking_code(petition.id, year)
        if petition.status in ("SUBMITTED", "REJECTED"):
            assert petition.agency_id is None and petition.deadline_at is None
            assert petition.accepted_at is None and not assignments[petition.id]
        else:
            clock_events = [e for e in history if _starts_clock(e)]
            assert petition.clock_started_at == clock_events[-1].at
            assert petition.deadline_at == deadline_after(petition.clock_started_at, 20)
            assert petition.accepted_at == history[1].at
            petition_assignments = assignments[petition.id]
            assert petition_assignments[-1].ended_at is None
            assert all(a.end_reason == "TRANSFERRED" for a in petition_assignments[:-1])
            assert petition.agency_id == petition_assignments[-1].agency_id
        agency = agencies.get(petition.agency_id)
        if agency is not None and agency.kind == "PROVINCE":
            assert petition.province_code == agency.province_code
        assert petition.province_code is None or petition.province_code in province_codes()
        if petition.rejection_reason == "DUPLICATE":
            assert codes[petition.duplicate_of].id < petition.id
        _check_answers(petition, answers[petition.id], history, agencies)
        _check_rating(petition, data["ratings"].get(petition.id), answers[petition.id])


def _starts_clock(event: Any) -> bool:
    """Acceptance, a transfer, a progress update, a follow-up or an escalation by the
    Government Office (the automatic one follows a follow-up that already did)."""
    if event.action == "ESCALATE":
        return bool(event.actor_role == "COORDINATOR")
    return event.action in {"ASSIGN", "TRANSFER", "PROGRESS_UPDATE", "FOLLOW_UP"}


def _check_answers(
    petition: Any, answers: list[Any], history: list[Any], agencies: dict[int, Any]
) -> None:
    answer_events = [e for e in history if e.action == "ANSWER"]
    assert [a.answered_at for a in answers] == [e.at for e in answer_events]
    for answer, event in zip(answers, answer_events, strict=True):
        assert answer.agency_id == event.agency_id
        if event.from_status == "ESCALATED":
            assert event.actor_role == "COORDINATOR"
            assert agencies[answer.agency_id].code == GOVERNMENT_OFFICE_CODE
    if not answers:
        assert petition.answered_at is None and petition.answered_on_time is None
        return
    first = answers[0].answered_at
    assert petition.answered_at == first
    assert petition.response_working_days == elapsed_working_days(petition.accepted_at, first)
    deadline_then = [e for e in history if _starts_clock(e) and e.at < first][-1].at
    assert petition.answered_on_time == (first <= deadline_after(deadline_then, 20))
    follow_ups = [e for e in history if e.action == "FOLLOW_UP"]
    assert petition.follow_up_count == len(follow_ups)
    if len(follow_ups) >= 2:
        escalation = history[history.index(follow_ups[1]) + 1]
        assert escalation.action == "ESCALATE" and escalation.actor_role == "SYSTEM"
        assert petition.escalation_reason == "REPEATED_COMPLAINT"


def _check_rating(petition: Any, rating: Any, answers: list[Any]) -> None:
    if petition.status != "CLOSED":
        assert rating is None and petition.closed_at is None
        return
    assert rating.answer_id == answers[-1].id and 1 <= rating.score <= 5
    assert rating.rated_at == petition.closed_at


def test_first_escalation_and_rating_score_are_on_the_petition(data: dict[str, Any]) -> None:
    """`escalated_at` is the first ESCALATE event; `rating_score` copies the rating."""
    history = _by_petition(data["events"])
    for petition in data["petitions"]:
        escalations = [e.at for e in history[petition.id] if e.action == "ESCALATE"]
        assert petition.escalated_at == (escalations[0] if escalations else None)
        rating = data["ratings"].get(petition.id)
        assert petition.rating_score == (rating.score if rating else None)
    assert any(p.escalated_at for p in data["petitions"])


def test_only_internal_events_are_hidden(data: dict[str, Any]) -> None:
    private = {p.id for p in data["petitions"] if p.is_private}
    for event in data["events"]:
        hidden = event.action == "REQUEST_TRANSFER" or (
            event.action == "FOLLOW_UP" and event.petition_id in private
        )
        assert event.is_public is not hidden
        assert event.actor_role in set(ActorRole)


def test_answers_are_sealed_with_the_agency_key(data: dict[str, Any]) -> None:
    codes = {p.id: p.tracking_code for p in data["petitions"]}
    for answer in data["answers"]:
        key = data["keys"][answer.key_id]
        assert key.agency_id == answer.agency_id and key.retired_at is None
        agency = data["agencies"][answer.agency_id].code
        assert verify_answer(
            key.public_key,
            answer.signature,
            codes[answer.petition_id],
            agency,
            answer.body,
            answer.answered_at,
        )


async def test_events_are_chained_like_the_event_log(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        count, broken = await verify(session)
    assert broken is None and count > PETITIONS


# --- time ------------------------------------------------------------------


def test_times_fall_on_working_days_in_office_hours_before_now(data: dict[str, Any]) -> None:
    moments = [e.at for e in data["events"]]
    moments += [a.assigned_at for a in data["assignments"]]
    moments += [a.ended_at for a in data["assignments"] if a.ended_at]
    moments += [r.rated_at for r in data["ratings"].values()]
    for moment in moments:
        local = moment.astimezone(VN_TZ)
        assert is_working_day(local.date()), moment
        assert time(8) <= local.time() <= time(17), moment
        assert moment <= NOW
    submitted = [p.submitted_at for p in data["petitions"]]
    assert submitted == sorted(submitted)
    assert NOW - timedelta(days=731) <= submitted[0] < NOW - timedelta(days=700)
    assert submitted[-1] > NOW - timedelta(days=30)


# --- text and personal data ------------------------------------------------


def test_private_petitions_are_not_searchable(data: dict[str, Any]) -> None:
    for petition in data["petitions"]:
        expected = "" if petition.is_private else fold(f"{petition.title} {petition.body}")
        assert petition.search_text == expected


def test_titles_and_bodies_are_vietnamese_nfc(data: dict[str, Any]) -> None:
    texts = [(p.title, p.body) for p in data["petitions"]]
    texts += [(a.body, a.body) for a in data["answers"]]
    for title, body in texts:
        for value in (title, body):
            assert unicodedata.is_normalized("NFC", value)
            assert VIETNAMESE.search(value.lower()), value
    for petition in data["petitions"]:
        assert 10 <= len(petition.title) <= 200
        assert 30 <= len(petition.body) <= 10_000
    assert len({p.title for p in data["petitions"]}) > PETITIONS / 2


def test_petitions_pass_submission_validation(data: dict[str, Any]) -> None:
    known_fields = set(data["fields"].values())
    for petition in data["petitions"]:
        contact = data["contacts"][petition.id]
        submitted = SubmissionData(
            channel=petition.channel,
            kind=petition.kind,
            subject=petition.subject,
            title=petition.title,
            body=petition.body,
            field_code=data["fields"][petition.field_id],
            province_code=petition.province_code,
            is_private=petition.is_private,
            petitioner=PetitionerData(
                contact.full_name,
                contact.email,
                contact.phone,
                contact.address,
                contact.organization_name,
                contact.tax_code,
            ),
        )
        cleaned, problems = validate_submission(
            submitted, known_fields=known_fields, known_provinces=set(province_codes())
        )
        assert problems == [] and cleaned == submitted


def test_contacts_look_like_vietnamese_petitioners(data: dict[str, Any]) -> None:
    for petition in data["petitions"]:
        contact = data["contacts"][petition.id]
        assert len(contact.full_name.split()) == 3
        assert contact.phone is None or re.fullmatch(r"0[3789][0-9]{8}", contact.phone)
        assert contact.email is None or re.fullmatch(
            r"[a-z0-9.]+@[a-z0-9.]+\.[a-z]+", contact.email
        )
        business = petition.channel == "BUSINESS"
        assert (contact.organization_name is not None) is business
        assert (contact.tax_code is not None) is business
        if business:
            assert re.fullmatch(r"[0-9]{10}|[0-9]{13}", contact.tax_code)
        for personal in (contact.full_name, contact.phone, contact.email, contact.tax_code):
            assert personal is None or personal not in petition.body


def test_lengths_stay_within_limits_across_many_petitions() -> None:
    """Built in memory: 20,000 petitions, enough to include a few hundred long ones."""
    agency_ids = {ref.code: i for i, ref in enumerate(agencies(), start=1)}
    key = new_key_pair("DEMO", NOW.date())
    spec = LoadSpec(
        seed=3,
        total=1_000_000,
        now=int(NOW.timestamp()),
        agency_ids=agency_ids,
        field_ids={ref.code: i for i, ref in enumerate(FIELDS, start=1)},
        keys={i: (key.key_id, key.private_key) for i in agency_ids.values()},
    )
    start = Position(1, 1, 1, 1, GENESIS)
    bodies: list[int] = []
    for index in range(0, 40, 10):
        chunk = build_chunk(spec, index, start)
        for row in chunk.tables["petitions"]:
            assert 10 <= len(row[5]) <= 200
            bodies.append(len(row[6]))
        assert all(30 <= len(row[3]) <= 10_000 for row in chunk.tables["answers"])
    assert 30 <= min(bodies) and max(bodies) <= 10_000
    assert 50 < sum(length > 2_000 for length in bodies) < 1_000


def test_every_required_column_is_filled() -> None:
    for table in TABLES:
        filled = set(TABLE_COLUMNS[table.name])
        assert filled <= set(table.columns.keys())
        required = {
            column.name
            for column in table.columns
            if not column.nullable and column.server_default is None
        }
        assert required <= filled, table.name


def test_a_placeholder_must_not_touch_a_word() -> None:
    assert Template("Thủ tục {name} còn rườm rà").render({"name": ("Đất đai", "dat dai")}) == (
        "Thủ tục Đất đai còn rườm rà",
        "thu tuc dat dai con ruom ra",
    )
    with pytest.raises(ValueError, match="touches a word"):
        Template("Thủ tục{name}")


# --- PostgreSQL stores what SQLite stores ----------------------------------


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path) as url:
        yield url


async def _same_rows(first: AsyncEngine, second: AsyncEngine) -> None:
    for table in TABLES:
        assert await _rows(first, table) == await _rows(second, table), table.name


async def test_postgresql_copy_matches_sqlite(tmp_path: Path, postgres_url: str) -> None:
    sqlite = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/s.db", 300, 4)
    postgres = await _loaded(postgres_url, 300, 4)
    try:
        await _same_rows(sqlite, postgres)
        async with session_factory(postgres)() as session:
            assert (await verify(session))[1] is None
    finally:
        await sqlite.dispose()
        await postgres.dispose()


async def test_postgresql_bulk_path_rebuilds_what_it_dropped(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_loader, "PARALLEL_MIN", 1)
    monkeypatch.setattr(postgres_loader, "BULK_MIN", 1)
    count = 2 * CHUNK + 100
    await prepare_database(postgres_url)
    postgres = create_engine(postgres_url)
    sqlite = await _loaded(f"sqlite+aiosqlite:///{tmp_path}/s.db", count, 9)
    try:
        before = await _schema(postgres)
        assert await load_demo(postgres, count, 9, now=NOW) == count
        assert await _schema(postgres) == before
        await _same_rows(sqlite, postgres)
        async with postgres.connect() as conn:
            next_id = await conn.scalar(text("SELECT nextval('petition_events_id_seq')"))
            assert next_id == await conn.scalar(text("SELECT max(id) + 1 FROM petition_events"))
    finally:
        await sqlite.dispose()
        await postgres.dispose()


async def _schema(engine: AsyncEngine) -> set[tuple[str, ...]]:
    async with engine.connect() as conn:
        indexes = await conn.execute(text("SELECT indexname, indexdef FROM pg_indexes"))
        constraints = await conn.execute(
            text("SELECT conname, pg_get_constraintdef(oid), convalidated::text FROM pg_constraint")
        )
        return {tuple(row) for row in indexes} | {tuple(row) for row in constraints}
