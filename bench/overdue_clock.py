"""The overdue clock's cost at a million petitions (#15, point 2).

Fills a fresh database (migrated and seeded) with `--petitions` synthetic petitions in one
statement: 30 % open and past their deadline with their OVERDUE written already (a
backlog the clock must not read again), 10 % open with a deadline ahead, the rest answered,
closed or rejected. Then, for each `--due` count K, makes K of the overdue ones due again
(their OVERDUE not written), and times one run of the clock (`app.services.overdue.
run_clock`, 500 a transaction, real notifications, the chain and the rollup) that writes
their K events; and, with nothing due, the run that finds nothing (every minute's run, in
steady state), and the plan of its query.

    .venv/bin/python bench/overdue_clock.py --backend postgresql --petitions 1000000
    .venv/bin/python bench/overdue_clock.py --backend sqlite --petitions 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from app.services import notifications, overdue
from app.settings import Settings
from bench.common.database import create_database, drop_database
from db.bootstrap import prepare_database
from db.engine import open_engine, session_factory
from db.transactions import WriteGate

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

FILL = """
INSERT INTO petitions (id, tracking_code, channel, kind, subject, title, body, is_private,
  status, agency_id, submitted_at, accepted_at, clock_started_at, deadline_at,
  overdue_deadline_at, overdue_count, follow_up_count, version, search_text, urge_count)
SELECT n, 'PAKN-2026-' || n, 'CITIZEN', 'REFLECTION', 'POLICY', 'Kiến nghị', 'Nội dung',
  {false}, CASE WHEN n % 10 < 3 THEN 'IN_PROGRESS' WHEN n % 10 = 3 THEN 'ASSIGNED'
  WHEN n % 10 < 6 THEN 'ANSWERED' WHEN n % 10 < 9 THEN 'CLOSED' ELSE 'REJECTED' END,
  1, {started}, {started}, {started},
  CASE WHEN n % 10 = 3 THEN {ahead} ELSE {behind} END,
  CASE WHEN n % 10 < 3 THEN {behind} END,
  CASE WHEN n % 10 < 3 THEN 1 ELSE 0 END, 0, 2, '', 0
FROM {series}
"""
"""Open past their deadline with the OVERDUE written (n % 10 < 3), open with a deadline
ahead (3), answered, closed or rejected (the rest); deadlines spread over two years."""


def _moment(dialect: str, days: str) -> str:
    """NOW moved by `days` (an SQL expression), as the dialect stores an instant."""
    if dialect == "postgresql":
        return f"(TIMESTAMPTZ '2026-12-01 12:00:00+00' + ({days}) * INTERVAL '1 day')"
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', '2026-12-01 12:00:00', ({days}) || ' days') || '.000000')"
    )


def _fill(dialect: str, petitions: int) -> str:
    fill = FILL.format(
        false="false" if dialect == "postgresql" else "0",
        started=_moment(dialect, "-(n % 700) - 30"),
        ahead=_moment(dialect, "10"),
        behind=_moment(dialect, "-(n % 700) - 1"),
        series=f"generate_series(1, {petitions}) AS n" if dialect == "postgresql" else "series",
    )
    if dialect == "postgresql":
        return fill
    return (
        "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series"
        f" WHERE n < {petitions}) {fill}"
    )


async def _run(url: str, petitions: int, dues: list[int]) -> None:
    await prepare_database(url)
    async with open_engine(url) as engine:
        dialect = engine.dialect.name
        started = time.perf_counter()
        async with engine.begin() as connection:
            await connection.execute(text(_fill(dialect, petitions)))
        print(f"filled {petitions:,} petitions in {time.perf_counter() - started:.1f} s")
        if dialect == "postgresql":
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql("VACUUM ANALYZE petitions")
        else:
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
        sessions = session_factory(engine)
        writes = WriteGate(serialise=dialect == "sqlite")
        notify = notifications.for_settings(Settings(database_url=url))

        async def clock() -> tuple[int, float]:
            began = time.perf_counter()
            written = await overdue.run_clock(sessions, writes, lambda: NOW, notify)
            return written, time.perf_counter() - began

        for _ in range(3):
            written, seconds = await clock()
        assert written == 0
        runs = []
        for _ in range(20):
            runs.append((await clock())[1])
        runs.sort()
        print(f"nothing due: a run takes {runs[len(runs) // 2] * 1000:.2f} ms (median of 20)")
        statement = overdue.due_ids_statement(dialect)
        explain = "EXPLAIN QUERY PLAN" if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS)"
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(f"{explain} {statement.text}").bindparams(*statement._bindparams.values()),
                {"now": NOW, "limit": overdue.BATCH},
            )
            print("  plan: " + "\n        ".join(str(row[-1]) for row in rows))
        for due in dues:
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "UPDATE petitions SET overdue_deadline_at = NULL WHERE id IN"
                        " (SELECT id FROM petitions WHERE id % 10 < 3 AND overdue_deadline_at"
                        " IS NOT NULL ORDER BY id LIMIT :due)"
                    ),
                    {"due": due},
                )
            written, seconds = await clock()
            assert written == due, (written, due)
            print(
                f"{due:,} due: written in {seconds:.2f} s"
                f" ({seconds / due * 1000:.2f} ms an OVERDUE event)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--petitions", type=int, default=1_000_000)
    parser.add_argument("--due", default="100,1000,10000")
    args = parser.parse_args()
    dues = [int(n) for n in args.due.split(",") if n]
    if args.backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(_run(f"sqlite+aiosqlite:///{folder}/overdue.db", args.petitions, dues))
        return
    name = f"pakn_overdue_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    try:
        asyncio.run(_run(url, args.petitions, dues))
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
