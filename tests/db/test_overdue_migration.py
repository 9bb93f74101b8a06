"""Migration 0011 (#15, point 2): a database at revision 0010 whose deadlines passed gets,
once upgraded, exactly the OVERDUE events the clock would have written (also for petitions
answered or updated late), at the end of the chain in order of the deadline, the petitions'
counts and an exact rollup; silently (no outbox row); `pakn audit verify` and `pakn stats
verify` pass. The batches are cut to 3 so that every loop crosses a boundary. SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
from alembic import command
from sqlalchemy import func, insert, select

from app.domain.overdue import overdue_note
from app.domain.timezone import VN_TZ, now
from app.domain.vocabulary import Action
from app.domain.working_days import deadline_after, elapsed_working_days
from db import event_log, rollup
from db.bootstrap import seed
from db.engine import open_engine, session_factory
from db.event_log import NewEvent
from db.listener import asyncpg_dsn
from db.migrate import alembic_config, upgrade
from db.models import Agency, OutboxMessage, Petition, PetitionEvent
from tests.services.test_overdue_clock import COORDINATOR, desk_on
from tests.services.test_overdue_clock import T0 as CLOCK_T0
from tests.support.cli import pakn
from tests.support.databases import fresh_database, prepared_database

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
FIRST = deadline_after(T0, 20)


@dataclass(frozen=True)
class Step:
    action: str
    to_status: str
    at: datetime
    role: str = "COORDINATOR"
    agency: str | None = None


CLOCKS = {"ASSIGN", "TRANSFER", "PROGRESS_UPDATE", "ESCALATE", "FOLLOW_UP"}


def _steps(*steps: tuple[str, str, datetime] | tuple[str, str, datetime, str]) -> list[Step]:
    made = [Step("SUBMIT", "SUBMITTED", T0 - timedelta(hours=1), "PETITIONER")]
    for step in steps:
        action, status, at = step[:3]
        agency = step[3] if len(step) == 4 else ("BTC" if action == "ASSIGN" else None)
        made.append(Step(action, status, at, agency=agency))
    return made


def _histories(recent: datetime) -> dict[str, list[Step]]:
    late_update = FIRST + timedelta(days=3)
    return {
        "left alone": _steps(("ASSIGN", "ASSIGNED", T0)),
        "answered late": _steps(
            ("ASSIGN", "ASSIGNED", T0),
            ("ACKNOWLEDGE", "IN_PROGRESS", T0 + timedelta(days=1)),
            ("ANSWER", "ANSWERED", FIRST + timedelta(days=5)),
            ("RATE", "CLOSED", FIRST + timedelta(days=8)),
        ),
        "updated late, then silent": _steps(
            ("ASSIGN", "ASSIGNED", T0),
            ("ACKNOWLEDGE", "IN_PROGRESS", T0 + timedelta(days=1)),
            ("PROGRESS_UPDATE", "IN_PROGRESS", late_update),
        ),
        "answered in time": _steps(
            ("ASSIGN", "ASSIGNED", T0 + timedelta(days=1)),
            ("ACKNOWLEDGE", "IN_PROGRESS", T0 + timedelta(days=2)),
            ("ANSWER", "ANSWERED", FIRST),
        ),
        "waiting": _steps(),
        "rejected": _steps(("REJECT", "REJECTED", T0)),
        "assigned yesterday": [
            Step("SUBMIT", "SUBMITTED", recent, "PETITIONER"),
            Step("ASSIGN", "ASSIGNED", recent, agency="BTC"),
        ],
        "transferred the same day": _steps(
            ("ASSIGN", "ASSIGNED", T0),
            ("TRANSFER", "ASSIGNED", T0 + timedelta(hours=2), "BYT"),
        ),
    }


def _expected(histories: dict[str, list[Step]], ids: dict[str, int]) -> list[tuple[object, ...]]:
    """(petition id, at, status, agency code), in order of the deadline."""
    late_update = FIRST + timedelta(days=3)
    rows = [
        (ids["left alone"], FIRST, "ASSIGNED", "BTC"),
        (ids["answered late"], FIRST, "IN_PROGRESS", "BTC"),
        (ids["updated late, then silent"], FIRST, "IN_PROGRESS", "BTC"),
        (ids["updated late, then silent"], deadline_after(late_update, 20), "IN_PROGRESS", "BTC"),
        (ids["transferred the same day"], FIRST, "ASSIGNED", "BYT"),
    ]
    return sorted(rows, key=lambda row: (row[1], row[0]))


LATER_COLUMNS = frozenset({"intake_channel"})
"""The petitions' columns added after revision 0010 (0019)."""


async def _build_at_0010(url: str, histories: dict[str, list[Step]]) -> dict[str, int]:
    """Rows as pakn wrote them at revision 0010: petitions, their chained events, rollups."""
    ids: dict[str, int] = {}
    async with open_engine(url) as engine:
        async with session_factory(engine)() as session:
            agencies = dict((await session.execute(select(Agency.code, Agency.id))).all())
            for number, (name, steps) in enumerate(histories.items(), start=1):
                clocks = [step.at for step in steps if step.action in CLOCKS]
                answer = next((s.at for s in steps if s.action == "ANSWER"), None)
                assigned = [s for s in steps if s.agency]
                agency_id = agencies[assigned[-1].agency] if assigned else None
                deadline = deadline_after(clocks[-1], 20) if clocks else None
                petition = Petition(
                    id=number,
                    tracking_code=f"PAKN-2026-{number:06d}",
                    channel="CITIZEN",
                    kind="REFLECTION",
                    subject="POLICY",
                    title=f"Kiến nghị số {number}",
                    body="Nội dung kiến nghị về thủ tục hành chính.",
                    is_private=False,
                    status=steps[-1].to_status,
                    agency_id=agency_id,
                    submitted_at=steps[0].at,
                    accepted_at=clocks[0] if clocks else None,
                    clock_started_at=clocks[-1] if clocks else None,
                    deadline_at=deadline,
                    answered_at=answer,
                    response_working_days=(
                        elapsed_working_days(clocks[0], answer) if answer and clocks else None
                    ),
                    answered_on_time=(answer <= deadline) if answer and deadline else None,
                    closed_at=steps[-1].at if steps[-1].to_status == "CLOSED" else None,
                    follow_up_count=0,
                    version=len(steps),
                    search_text="",
                )
                # inserted as 0010's table has it: the columns later revisions add left out
                # (the ORM would name them all: 0019's intake_channel)
                at_0010 = {c.key for c in Petition.__table__.columns} - LATER_COLUMNS
                values = {k: v for k, v in vars(petition).items() if k in at_0010}
                await session.execute(insert(Petition.__table__).values(**values))
                status = None
                current = None
                for step in steps:
                    current = agencies[step.agency] if step.agency else current
                    await event_log.append_to_chain(
                        session,
                        NewEvent(
                            petition_id=number,
                            action=step.action,
                            from_status=status,
                            to_status=step.to_status,
                            at=step.at,
                            actor_role=step.role,
                            agency_id=current,
                        ),
                    )
                    status = step.to_status
                ids[name] = number
            await session.commit()
        async with engine.begin() as connection:
            await rollup.rebuild(connection)
    return ids


async def _events(url: str) -> tuple[list[PetitionEvent], dict[int, str]]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        codes = {i: c for c, i in (await session.execute(select(Agency.code, Agency.id))).all()}
        events = list(await session.scalars(select(PetitionEvent).order_by(PetitionEvent.id)))
        return events, codes


async def _outbox(url: str) -> int:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


async def _counts(url: str) -> dict[int, tuple[int, datetime | None]]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = await session.execute(
            select(Petition.id, Petition.overdue_count, Petition.overdue_deadline_at)
        )
        return {pid: (count, at) for pid, count, at in rows}


async def _differences(url: str) -> list[object]:
    async with open_engine(url) as engine, engine.connect() as connection:
        return list(await rollup.differences(connection))


def test_the_backfill_writes_exactly_the_deadlines_that_passed(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url, "0010")
        asyncio.run(seed(url))
        histories = _histories(now() - timedelta(days=1))
        ids = asyncio.run(_build_at_0010(url, histories))
        before, _ = asyncio.run(_events(url))
        config = alembic_config(url)
        config.attributes["overdue_backfill_batch"] = 3
        command.upgrade(config, "head")

        events, codes = asyncio.run(_events(url))
        assert [e.id for e in events[: len(before)]] == [e.id for e in before]
        added = events[len(before) :]
        assert all(e.action == "OVERDUE" for e in added)
        assert [
            (e.petition_id, e.at, e.from_status, codes[e.agency_id or 0]) for e in added
        ] == _expected(histories, ids)
        assert all(
            e.to_status == e.from_status
            and e.actor_role == "SYSTEM"
            and e.is_public
            and e.note == overdue_note(20)
            for e in added
        )
        assert asyncio.run(_outbox(url)) == 0, "silently: no e-mail, no webhook for the past"

        counts = asyncio.run(_counts(url))
        late_update = FIRST + timedelta(days=3)
        assert counts[ids["left alone"]] == (1, FIRST)
        assert counts[ids["updated late, then silent"]] == (2, deadline_after(late_update, 20))
        assert counts[ids["answered in time"]] == (0, None)
        assert counts[ids["assigned yesterday"]] == (0, None)
        assert asyncio.run(_differences(url)) == []

        audit = pakn("audit", "verify", database_url=url)
        assert audit.returncode == 0 and f"({len(events)} events)" in audit.stdout, audit
        stats = pakn("stats", "verify", database_url=url)
        assert stats.returncode == 0, stats


def test_the_backfill_notifies_live_subscribers_once(tmp_path: Path) -> None:
    """PostgreSQL: one NOTIFY at the end of the backfill, so the workers' feeds read the
    new events once (SQLite's feed polls)."""
    with fresh_database("postgresql", tmp_path) as url:
        upgrade(url, "0010")
        asyncio.run(seed(url))
        asyncio.run(_build_at_0010(url, _histories(now() - timedelta(days=1))))
        received: list[object] = []
        listening, heard, done = threading.Event(), threading.Event(), threading.Event()

        def listen() -> None:
            async def main() -> None:
                connection = await asyncpg.connect(asyncpg_dsn(url))

                def note(*args: object) -> None:
                    received.append(args)
                    heard.set()

                await connection.add_listener(event_log.NOTIFY_CHANNEL, note)
                listening.set()
                await asyncio.to_thread(done.wait, 30)
                await connection.close()

            asyncio.run(main())

        listener = threading.Thread(target=listen)
        listener.start()
        try:
            assert listening.wait(10)
            upgrade(url)
            assert heard.wait(10), "no NOTIFY after the backfill"
        finally:
            done.set()
            listener.join(10)
        assert len(received) == 1


async def _worked(url: str) -> tuple[list[int], datetime]:
    """Through the services as pakn runs them: two petitions overdue by the clock, one of
    them urged twice by the Government Office. Returns their ids and a moment after."""
    first = deadline_after(CLOCK_T0, 20)
    after = first + timedelta(hours=1)
    async with desk_on(url) as desk:
        left = await desk.in_progress(CLOCK_T0)
        urged = await desk.in_progress(CLOCK_T0)
        assert await desk.clock(after) == 2
        for day in (1, 3):
            await desk.act(
                urged, Action.URGE, first + timedelta(days=day), COORDINATOR, note="Đôn đốc."
            )
        await desk.check_consistent()
    return [left, urged], first + timedelta(days=5)


async def _petition_counts(url: str) -> dict[int, tuple[object, ...]]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        rows = await session.execute(
            select(
                Petition.id,
                Petition.overdue_count,
                Petition.overdue_deadline_at,
                Petition.urge_count,
                Petition.last_urged_at,
            )
        )
        return {row[0]: tuple(row[1:]) for row in rows}


async def _clock_again(url: str, at: datetime) -> int:
    async with desk_on(url) as desk:
        written = await desk.clock(at)
        await desk.check_consistent()
        return written


def test_an_upgrade_after_a_downgrade_restores_the_counts_from_the_events(
    backend: str, tmp_path: Path
) -> None:
    """0010's downgrade drops the counts, 0011's keeps the OVERDUE events: upgraded again,
    the petitions' counts come back from the events, the rollup is exact, and the clock
    writes no second OVERDUE for a deadline that has one."""
    with prepared_database(backend, tmp_path) as url:
        ids, later = asyncio.run(_worked(url))
        counts = asyncio.run(_petition_counts(url))
        assert counts[ids[0]][:2] == (1, deadline_after(CLOCK_T0, 20))
        assert counts[ids[1]][0] == 1 and counts[ids[1]][2] == 2
        events, _ = asyncio.run(_events(url))

        config = alembic_config(url)
        command.downgrade(config, "0009")
        command.upgrade(config, "head")

        assert asyncio.run(_petition_counts(url)) == counts
        assert asyncio.run(_differences(url)) == []
        assert [e.id for e in asyncio.run(_events(url))[0]] == [e.id for e in events]
        assert asyncio.run(_clock_again(url, later)) == 0
        assert [e.id for e in asyncio.run(_events(url))[0]] == [e.id for e in events]
