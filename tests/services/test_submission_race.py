"""Two retries of one submission that race: both get the one petition, none a 500.

Both pass the idempotency lookup before either commits; the second insert then breaks the
key's uniqueness, and `submit_in_transaction` runs once more and finds the winner's
petition. On SQLite the write gate serialises them, so the second simply finds it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.services.submission import Submission, submit_in_transaction
from app.settings import Settings
from db.engine import is_sqlite, open_engine, session_factory
from db.models import Petition
from db.transactions import WriteGate
from tests.domain.submissions import SUBMISSION

DATA = SUBMISSION


async def test_racing_retries_of_one_key_get_one_petition(empty_database: str) -> None:
    settings = Settings(database_url=empty_database, secret_key="race")
    writes = WriteGate(serialise=is_sqlite(empty_database))
    request = Submission(DATA, "retry-1", None)
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    async with open_engine(empty_database) as engine:
        sessions = session_factory(engine)

        async def attempt() -> tuple[str, str | None]:
            async with sessions() as session:
                outcome = await submit_in_transaction(writes, session, settings, request, now)
                assert outcome.petition is not None
                return outcome.petition.tracking_code, outcome.secret

        first, second = await asyncio.gather(attempt(), attempt())
        async with sessions() as session:
            count = await session.scalar(select(func.count()).select_from(Petition))
    assert first == second
    assert count == 1
