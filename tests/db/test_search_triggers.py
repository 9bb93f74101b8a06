"""SQLite keeps its search index in step through three triggers on `petitions` (migration
0001). A batch migration recreates the table and silently drops them, and search then finds
nothing written since: every revision must leave them in place, at head and after going
down and up again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from db.engine import open_engine
from db.migrate import downgrade, upgrade
from tests.support.databases import fresh_database

SEARCH_TRIGGERS = {"petitions_search_insert", "petitions_search_delete", "petitions_search_update"}


async def _triggers(url: str) -> set[str]:
    async with open_engine(url) as engine, engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'petitions'")
        )
        return {row.name for row in rows}


def test_every_migration_keeps_the_search_triggers(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        upgrade(url)
        assert asyncio.run(_triggers(url)) == SEARCH_TRIGGERS
        downgrade(url, "0009")
        assert asyncio.run(_triggers(url)) == SEARCH_TRIGGERS
        upgrade(url)
        assert asyncio.run(_triggers(url)) == SEARCH_TRIGGERS
