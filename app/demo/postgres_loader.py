"""Loading into PostgreSQL: one transaction that locks the six tables against other writers
(and takes the event log's advisory lock), the chunks streamed through asyncpg's
`copy_to_table`.

From `PARALLEL_MIN` petitions on, a producer process (`copy_producer`) renders the chunks
meanwhile. For a large load (at least `BULK_MIN` petitions and no fewer than the table
holds) the btree indexes and foreign keys of the six tables are dropped first and recreated
from their catalogue definitions before commit: building an index once is far cheaper than
maintaining it, and checking foreign keys row by row would dominate. The GIN search index
stays: maintaining it during the COPY overlaps with generation, while rebuilding it would
run alone at the end. The sequences are then moved past the new ids, the tables analysed and
the GIN pending list flushed.
"""

from __future__ import annotations

import logging
from contextlib import aclosing
from time import perf_counter
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from app.demo.copy_producer import chunks_from_producer
from app.demo.copy_text import copy_chunks
from app.demo.rows import TABLE_COLUMNS
from app.demo.spec import LoadSpec, Position
from app.domain.chain import GENESIS
from db.event_log import CHAIN_LOCK_KEY

if TYPE_CHECKING:
    from asyncpg import Connection

log = logging.getLogger(__name__)

PARALLEL_MIN = 40_000
"""From this many petitions on, the COPY data is rendered in a producer process."""
BULK_MIN = 100_000
"""From this many petitions on, indexes and foreign keys are dropped and rebuilt."""
_SEQUENCED = ("petitions", "assignments", "answers", "petition_events")
_LOADED_TABLES = ", ".join(TABLE_COLUMNS)


async def load_with_copy(engine: AsyncEngine, spec: LoadSpec) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        pg: Connection = raw.driver_connection
        assert pg is not None
        async with pg.transaction():
            await pg.execute(f"LOCK TABLE {_LOADED_TABLES} IN SHARE ROW EXCLUSIVE MODE")
            await pg.execute(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})")
            start = await _start_position(pg)
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
        await pg.execute(f"ANALYZE {_LOADED_TABLES}")
        await _flush_gin_pending_lists(pg)


async def _start_position(pg: Connection) -> Position:
    ids = [await pg.fetchval(f"SELECT coalesce(max(id), 0) + 1 FROM {t}") for t in _SEQUENCED]
    head = await pg.fetchval("SELECT hash FROM petition_events ORDER BY id DESC LIMIT 1")
    return Position(*ids, head or GENESIS)


async def _copy_chunks(pg: Connection, spec: LoadSpec, start: Position) -> None:
    """COPY every chunk; large loads render them in a producer process meanwhile."""
    if spec.total < PARALLEL_MIN:
        for tables in copy_chunks(spec, start):
            await _copy_chunk(pg, tables)
        return
    async with aclosing(chunks_from_producer(spec, start)) as chunks:
        async for tables in chunks:
            await _copy_chunk(pg, tables)


async def _copy_chunk(pg: Connection, tables: dict[str, bytes]) -> None:
    for table, data in tables.items():
        await pg.copy_to_table(
            table, source=memoryview(data), columns=list(TABLE_COLUMNS[table]), format="text"
        )


async def _drop_indexes_and_foreign_keys(pg: Connection) -> list[str]:
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


async def _flush_gin_pending_lists(pg: Connection) -> None:
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
