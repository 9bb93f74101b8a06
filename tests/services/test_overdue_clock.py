"""The overdue clock (#15, point 2), with a clock the test sets: exactly one OVERDUE per
deadline that passes with neither an answer nor a progress update, written by the
scheduler or, when it was down, before the late action; in the chain, in the feed, in the
figures, the version unchanged; two schedulers at once, one stopped midway, a catch-up after
downtime. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.overdue import auto_urge_note
from app.domain.timezone import VN_TZ
from app.domain.validation import PetitionerData, SubmissionData
from app.domain.vocabulary import Action, ActorRole
from app.domain.workflow import Actor
from app.domain.working_days import deadline_after
from app.services import actions, notifications, overdue, transitions
from app.services.jobs import OVERDUE_CLOCK, Background
from app.services.outcome import UserErrors
from app.services.submission import Submission, submit_in_transaction
from app.services.transitions import ActionScope, Change
from app.settings import Settings
from db import event_log, rollup
from db.engine import open_engine, session_factory
from db.models import Agency, OutboxMessage, Petition, PetitionEvent
from db.transactions import WriteGate
from tests.support.server import RunningServer
from tests.support.workflow import workflow_settings
from tests.support.ws_client import GraphQLSocket

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=VN_TZ)
"""A Monday: petitions are submitted at 09:00 and assigned at 10:00."""
FIRST = deadline_after(T0, 20)
"""The deadline of a petition assigned at T0 + 1 h: the end of Monday 29 June 2026."""
AFTER = FIRST + timedelta(hours=1)
ANSWER = "Bộ Tài chính trả lời: hồ sơ của ông bà đã được giải quyết theo đúng quy định."
SYSTEM = Actor(ActorRole.SYSTEM)
COORDINATOR = Actor(ActorRole.COORDINATOR)


@dataclass
class Desk:
    """Petitions moved at the moments a test chooses, through the services, in this process."""

    engine: AsyncEngine
    settings: Settings
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    writes: WriteGate = field(init=False)
    officer: Actor = field(init=False)
    notified: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sessions = session_factory(self.engine)
        self.writes = WriteGate(serialise=self.engine.dialect.name == "sqlite")

    async def notify(self, session: AsyncSession, event: PetitionEvent, petition: Petition) -> None:
        self.notified.append(f"{event.action}:{petition.id}")
        await notifications.queue_for_event(session, self.settings, event, petition)

    async def submit(self, at: datetime = T0) -> int:
        data = SubmissionData(
            channel="CITIZEN",
            kind="REFLECTION",
            subject="ADMINISTRATIVE_PROCEDURE",
            title="Thủ tục hoàn thuế giá trị gia tăng kéo dài quá hạn",
            body="Doanh nghiệp chúng tôi nộp hồ sơ hoàn thuế từ lâu nhưng chưa được giải quyết.",
            field_code="DAT_DAI",
            province_code="01",
            is_private=False,
            petitioner=PetitionerData("Trần Văn An", None, "0912345678", None, None, None),
        )
        async with self.sessions() as session:
            outcome = await submit_in_transaction(
                self.writes, session, self.settings, Submission(data, None, None), at
            )
            assert outcome.petition is not None
            return outcome.petition.id

    async def act(
        self, petition_id: int, action: Action, at: datetime, actor: Actor | None = None, **kw: Any
    ) -> Petition:
        async with self.sessions() as session:
            if actor is None:
                btc = await session.scalar(select(Agency.id).where(Agency.code == "BTC"))
                actor = Actor(ActorRole.AGENCY_OFFICER, btc)
            version = (await session.get_one(Petition, petition_id)).version
            scope = ActionScope(session, self.settings, at, actor)
            return await actions.by_officer(
                self.writes, scope, petition_id, Change(action, version, **kw)
            )

    async def assigned(self, at: datetime = T0) -> int:
        petition_id = await self.submit(at)
        await self.act(
            petition_id, Action.ASSIGN, at + timedelta(hours=1), COORDINATOR, agency_code="BTC"
        )
        return petition_id

    async def in_progress(self, at: datetime = T0) -> int:
        petition_id = await self.assigned(at)
        await self.act(petition_id, Action.ACKNOWLEDGE, at + timedelta(hours=2))
        return petition_id

    async def clock(
        self,
        now: datetime,
        *,
        batch: int = overdue.BATCH,
        proceed: Callable[[], bool] | None = None,
    ) -> int:
        return await overdue.run_clock(
            self.sessions,
            self.writes,
            lambda: now,
            self.notify,
            batch=batch,
            proceed=proceed or (lambda: True),
        )

    async def auto_urge(self, now: datetime, days: int = 3, batch: int = overdue.BATCH) -> int:
        urge = transitions.system_urge(self.settings, days)
        return await overdue.run_auto_urge(
            self.sessions, self.writes, lambda: now, days, urge, batch=batch
        )

    async def events(self, petition_id: int) -> list[PetitionEvent]:
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(PetitionEvent)
                    .where(PetitionEvent.petition_id == petition_id)
                    .order_by(PetitionEvent.id)
                )
            )

    async def overdue_events(self) -> list[PetitionEvent]:
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(PetitionEvent)
                    .where(PetitionEvent.action == Action.OVERDUE.value)
                    .order_by(PetitionEvent.id)
                )
            )

    async def petition(self, petition_id: int) -> Petition:
        async with self.sessions() as session:
            return await session.get_one(Petition, petition_id)

    async def check_consistent(self) -> None:
        """The chain verifies, the rollups are exact, every count matches its events."""
        async with self.sessions() as session:
            count, broken = await event_log.verify(session)
            assert broken is None and count > 0
            per_petition = dict(
                (
                    await session.execute(
                        select(PetitionEvent.petition_id, func.count())
                        .where(PetitionEvent.action == Action.OVERDUE.value)
                        .group_by(PetitionEvent.petition_id)
                    )
                ).all()
            )
            counts = dict(
                (await session.execute(select(Petition.id, Petition.overdue_count))).all()
            )
            assert {pid: n for pid, n in counts.items() if n} == per_petition
        async with self.engine.connect() as connection:
            assert await rollup.differences(connection) == []


@asynccontextmanager
async def desk_on(url: str) -> AsyncIterator[Desk]:
    async with open_engine(url) as engine:
        yield Desk(engine, workflow_settings(url))


def _actions(events: list[PetitionEvent]) -> list[str]:
    return [event.action for event in events]


async def test_one_overdue_per_deadline_and_a_second_after_a_late_update(
    empty_database: str,
) -> None:
    async with desk_on(empty_database) as desk:
        pid = await desk.in_progress()
        version = (await desk.petition(pid)).version
        assert await desk.clock(FIRST) == 0, "at the deadline itself: not yet"
        assert await desk.clock(AFTER) == 1
        assert await desk.clock(AFTER) == 0, "run twice: nothing twice"
        assert await desk.clock(AFTER + timedelta(days=3)) == 0

        [event] = await desk.overdue_events()
        assert (event.petition_id, event.at, event.actor_role) == (pid, FIRST, "SYSTEM")
        assert (event.from_status, event.to_status, event.is_public) == (
            "IN_PROGRESS",
            "IN_PROGRESS",
            True,
        )
        assert event.note is not None and "20 ngày làm việc" in event.note
        assert event.agency_id is not None
        petition = await desk.petition(pid)
        assert (petition.overdue_count, petition.overdue_deadline_at, petition.version) == (
            1,
            FIRST,
            version,
        )
        assert desk.notified == [f"OVERDUE:{pid}"]

        update = FIRST + timedelta(days=2)
        await desk.act(pid, Action.PROGRESS_UPDATE, update, note="Đang xác minh hồ sơ.")
        second = deadline_after(update, 20)
        assert await desk.clock(second) == 0
        assert await desk.clock(second + timedelta(seconds=1)) == 1
        assert await desk.clock(second + timedelta(days=1)) == 0
        assert [e.at for e in await desk.overdue_events()] == [FIRST, second]
        petition = await desk.petition(pid)
        assert (petition.overdue_count, petition.overdue_deadline_at) == (2, second)
        assert _actions(await desk.events(pid)) == [
            "SUBMIT",
            "ASSIGN",
            "ACKNOWLEDGE",
            "OVERDUE",
            "PROGRESS_UPDATE",
            "OVERDUE",
        ]
        await desk.check_consistent()


async def test_answered_or_updated_in_time_gets_none(empty_database: str) -> None:
    async with desk_on(empty_database) as desk:
        answered = await desk.in_progress()
        await desk.act(answered, Action.ANSWER, FIRST, body=ANSWER)
        updated = await desk.in_progress()
        await desk.act(updated, Action.PROGRESS_UPDATE, FIRST, note="Đang xử lý.")
        waiting = await desk.submit()
        assert await desk.clock(AFTER) == 0
        assert await desk.clock(AFTER + timedelta(days=400)) == 1, "only the update's deadline"
        [event] = await desk.overdue_events()
        assert event.petition_id == updated and event.at == deadline_after(FIRST, 20)
        assert (await desk.petition(waiting)).overdue_count == 0
        await desk.check_consistent()


async def test_a_late_answer_after_an_outage_leaves_its_overdue_first_and_once(
    empty_database: str,
) -> None:
    async with desk_on(empty_database) as desk:
        pid = await desk.in_progress()
        version = (await desk.petition(pid)).version
        late = FIRST + timedelta(days=9)
        answered = await desk.act(pid, Action.ANSWER, late, body=ANSWER)
        assert answered.version == version + 1, "the OVERDUE moved no version"
        assert answered.overdue_count == 1 and answered.answered_on_time is False
        assert _actions(await desk.events(pid))[-2:] == ["OVERDUE", "ANSWER"]
        assert await desk.clock(late + timedelta(days=1)) == 0, "the scheduler, back: nothing"
        assert len(await desk.overdue_events()) == 1
        # a transfer of a petition whose deadline passed: the OVERDUE precedes it too
        other = await desk.assigned()
        await desk.act(other, Action.TRANSFER, late, COORDINATOR, agency_code="BYT", note="Chuyển.")
        assert _actions(await desk.events(other))[-2:] == ["OVERDUE", "TRANSFER"]
        [_, second] = await desk.overdue_events()
        assert (second.petition_id, second.at, second.from_status) == (other, FIRST, "ASSIGNED")
        await desk.check_consistent()


async def test_an_action_that_is_refused_writes_no_overdue(empty_database: str) -> None:
    async with desk_on(empty_database) as desk:
        pid = await desk.assigned()
        with pytest.raises(UserErrors):
            await desk.act(pid, Action.ANSWER, AFTER, body=ANSWER)  # ASSIGNED: not yet
        assert await desk.overdue_events() == []
        assert await desk.clock(AFTER) == 1
        await desk.check_consistent()


async def test_catching_up_after_downtime_in_bounded_batches(empty_database: str) -> None:
    async with desk_on(empty_database) as desk:
        petitions = [await desk.assigned(T0 + timedelta(minutes=n)) for n in range(23)]
        transactions: list[int] = []

        def proceed() -> bool:
            transactions.append(1)
            return True

        assert await desk.clock(AFTER + timedelta(days=60), batch=5, proceed=proceed) == 23
        assert len(transactions) == 5, "23 due in batches of 5: five transactions"
        assert sorted(e.petition_id for e in await desk.overdue_events()) == petitions
        assert await desk.clock(AFTER + timedelta(days=60), batch=5) == 0
        await desk.check_consistent()


async def test_a_scheduler_stopped_midway_leaves_the_rest_to_the_next_run(
    empty_database: str,
) -> None:
    async with desk_on(empty_database) as desk:
        for n in range(7):
            await desk.assigned(T0 + timedelta(minutes=n))
        asked = []

        def lease() -> bool:
            asked.append(1)
            return len(asked) == 1  # held for the first batch, lost after it

        assert await desk.clock(AFTER, batch=3, proceed=lease) == 3
        await desk.check_consistent()
        assert await desk.clock(AFTER, batch=3) == 4
        events = await desk.overdue_events()
        assert len(events) == len({e.petition_id for e in events}) == 7
        await desk.check_consistent()


async def test_two_schedulers_at_once_write_each_deadline_once(empty_database: str) -> None:
    """Two schedulers, each believing it leads, on one database: on PostgreSQL two engines
    without a shared gate (two hosts); on SQLite the single process's gate."""
    async with desk_on(empty_database) as desk, open_engine(empty_database) as engine:
        for n in range(40):
            await desk.assigned(T0 + timedelta(minutes=n))
        rival = Desk(engine, desk.settings)
        if engine.dialect.name == "sqlite":
            rival.writes = desk.writes
        counts = await asyncio.gather(
            desk.clock(AFTER, batch=4), rival.clock(AFTER, batch=4), desk.clock(AFTER, batch=7)
        )
        assert sum(counts) == 40
        events = await desk.overdue_events()
        assert len(events) == len({e.petition_id for e in events}) == 40
        assert sorted(desk.notified + rival.notified) == sorted(
            f"OVERDUE:{e.petition_id}" for e in events
        )
        await desk.check_consistent()


async def test_the_clock_racing_late_answers_writes_each_deadline_once(
    empty_database: str,
) -> None:
    async with desk_on(empty_database) as desk, open_engine(empty_database) as engine:
        petitions = [await desk.in_progress(T0 + timedelta(minutes=n)) for n in range(12)]
        rival = Desk(engine, desk.settings)
        if engine.dialect.name == "sqlite":
            rival.writes = desk.writes
        late = AFTER + timedelta(days=1)

        async def answer(pid: int) -> None:
            try:
                await rival.act(pid, Action.ANSWER, late, body=ANSWER)
            except UserErrors:  # STALE_VERSION: the clock claimed the row meanwhile
                await rival.act(pid, Action.ANSWER, late, body=ANSWER)

        await asyncio.gather(desk.clock(late, batch=2), *(answer(pid) for pid in petitions))
        events = await desk.overdue_events()
        assert sorted(e.petition_id for e in events) == petitions
        for pid in petitions:
            assert _actions(await desk.events(pid))[-2:] == ["OVERDUE", "ANSWER"]
        await desk.check_consistent()


async def test_the_background_job_runs_at_start_and_leads_alone(empty_database: str) -> None:
    """Two workers' runners (two `Background`s) on one database: the job runs at start, on
    one leader (PostgreSQL's advisory lock; SQLite's single process), and catches up with
    the deadlines that passed while nothing ran (real time: these are months old)."""
    async with desk_on(empty_database) as desk:
        for n in range(3):
            await desk.assigned(T0 + timedelta(minutes=n))
        runners = [
            Background(
                empty_database,
                desk.writes,
                retention_days=0,
                purge_interval_seconds=3600,
                overdue_notify=desk.notify,
                overdue_interval_seconds=3600,
            )
            for _ in range(2 if desk.engine.dialect.name == "postgresql" else 1)
        ]
        for background in runners:
            background.start()
        try:
            states = [background.runner.state[OVERDUE_CLOCK] for background in runners]
            for _ in range(2000):
                if all(s.tries for s in states) and not any(s.running for s in states):
                    break
                await asyncio.sleep(0.01)
            assert sum(state.runs for state in states) == 1
            assert [state.last_result for state in states if state.runs] == [3]
        finally:
            for background in runners:
                await background.stop()
        assert len(await desk.overdue_events()) == 3
        await desk.check_consistent()


async def test_overdue_events_reach_subscribers_and_the_public_record(
    empty_database: str,
) -> None:
    settings = workflow_settings(empty_database, feed_poll_seconds=0.5, keep_alive_seconds=0.5)
    async with desk_on(empty_database) as desk:
        pid = await desk.in_progress()
        code = (await desk.petition(pid)).tracking_code
        with RunningServer(settings) as server:
            async with GraphQLSocket(server.url) as socket:
                await socket.subscribe(code=code)
                await asyncio.sleep(0.3)
                assert await desk.clock(AFTER) == 1
                [event] = await socket.events(1)
            public = server.gql(
                """query($c: String!) { petition(trackingCode: $c) { overdueCount version
                   events(first: 10) { edges { node { action actorRole note } } } } }""",
                {"c": code},
            )["petition"]
        assert (event["action"], event["fromStatus"], event["toStatus"]) == (
            "OVERDUE",
            "IN_PROGRESS",
            "IN_PROGRESS",
        )
        assert "No answer or progress update within 20 working days" in event["note"]
        assert public["overdueCount"] == 1
        assert public["events"]["edges"][-1]["node"]["actorRole"] == "SYSTEM"


async def test_the_system_urges_once_after_the_working_days_overdue(empty_database: str) -> None:
    """PAKN_AUTO_URGE_DAYS=3: three working days after the deadline SYSTEM urges the
    agency, once; not a petition the Government Office urged since, nor an escalated one
    (the Government Office's own)."""
    async with desk_on(empty_database) as desk:
        left = [await desk.assigned(T0 + timedelta(minutes=n)) for n in range(5)]
        urged_by_hand = await desk.assigned()
        escalated = await desk.assigned()
        await desk.act(
            escalated,
            Action.ESCALATE,
            T0 + timedelta(hours=2),
            COORDINATOR,
            reason="GOVERNMENT_AUTHORITY",
        )
        assert await desk.clock(AFTER) == 7
        await desk.act(
            urged_by_hand, Action.URGE, FIRST + timedelta(days=1), COORDINATOR, note="Đôn đốc."
        )
        version = (await desk.petition(left[0])).version
        assert await desk.auto_urge(FIRST + timedelta(days=2)) == 0, "two working days: not yet"
        assert await desk.auto_urge(FIRST + timedelta(days=3), batch=2) == 5
        assert await desk.auto_urge(FIRST + timedelta(days=4)) == 0, "once"
        for pid in left:
            event = (await desk.events(pid))[-1]
            assert (event.action, event.actor_role, event.note) == (
                "URGE",
                "SYSTEM",
                auto_urge_note(3),
            )
            petition = await desk.petition(pid)
            assert (petition.urge_count, petition.version) == (1, version)
        assert (await desk.petition(urged_by_hand)).urge_count == 1
        assert (await desk.petition(escalated)).urge_count == 0
        # a late update restarts the clock: its deadline, once overdue, may be urged again
        update = FIRST + timedelta(days=5)
        await desk.act(left[0], Action.ACKNOWLEDGE, update)
        await desk.act(left[0], Action.PROGRESS_UPDATE, update, note="Đang xử lý.")
        second = deadline_after(update, 20)
        assert await desk.clock(second + timedelta(seconds=1)) == 1
        assert await desk.auto_urge(second + timedelta(days=7)) == 1
        assert (await desk.petition(left[0])).urge_count == 2
        await desk.check_consistent()


async def test_the_clock_uses_the_partial_index(empty_database: str) -> None:
    """The scheduler's query reads `ix_petitions_overdue_due` on both databases (its terms
    imply the index's WHERE): its cost is the petitions due, not the table."""
    async with desk_on(empty_database) as desk:
        for n in range(2):
            await desk.assigned(T0 + timedelta(minutes=n))
        assert await desk.clock(AFTER) == 2, "the urge's candidates"
        await desk.assigned()
        dialect = desk.engine.dialect.name
        plans = {}
        async with desk.engine.connect() as connection:
            if dialect == "sqlite":
                explain = "EXPLAIN QUERY PLAN"
            else:
                # few rows: without this a sequential scan is cheaper than any index
                await connection.exec_driver_sql("SET enable_seqscan = off")
                explain = "EXPLAIN"
            for index, statement in (
                (overdue.DUE_INDEX, overdue.due_ids_statement(dialect)),
                (overdue.URGE_INDEX, overdue.urge_ids_statement(dialect)),
            ):
                rows = await connection.execute(
                    text(f"{explain} {statement.text}").bindparams(*statement._bindparams.values()),
                    {"now": AFTER, "limit": overdue.BATCH},
                )
                plans[index] = " ".join(str(row[-1]) for row in rows)
    for index, plan in plans.items():
        assert index in plan, plan


async def test_no_outbox_rows_for_a_webhookless_quiet_deployment(empty_database: str) -> None:
    """Without PAKN_SMTP_URL and webhook endpoints the OVERDUE queues nothing."""
    async with desk_on(empty_database) as desk:
        await desk.in_progress()
        assert await desk.clock(AFTER) == 1
        async with desk.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
