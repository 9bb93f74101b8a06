"""Migrations and reference data on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from db.bootstrap import prepare_database
from db.engine import open_engine
from db.migrate import downgrade, upgrade
from db.models import Agency, Field
from tests.support.cli import pakn
from tests.support.databases import fresh_database


async def _reference_counts(url: str) -> dict[str, int]:
    async with open_engine(url) as engine, engine.connect() as connection:
        kinds = dict(
            (
                await connection.execute(select(Agency.kind, func.count()).group_by(Agency.kind))
            ).all()
        )
        fields = await connection.scalar(select(func.count()).select_from(Field))
    return {**kinds, "fields": int(fields or 0)}


async def _tables(url: str) -> set[str]:
    async with open_engine(url) as engine, engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


def test_reference_data_is_complete_and_idempotent(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        asyncio.run(prepare_database(url))
        asyncio.run(prepare_database(url))
        counts = asyncio.run(_reference_counts(url))
    assert counts == {
        "MINISTRY": 14,
        "MINISTERIAL_AGENCY": 2,
        "GOVERNMENT_OFFICE": 1,
        "PROVINCE": 34,
        "fields": counts["fields"],
    }
    assert counts["fields"] >= 20


def test_migrations_go_down_and_up_again(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        assert {"petitions", "petitioner_contacts", "petition_events"} <= asyncio.run(_tables(url))
        downgrade(url, "base")
        assert asyncio.run(_tables(url)) <= {"alembic_version"}
        upgrade(url)
        assert "answers" in asyncio.run(_tables(url))


def test_db_commands(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        for command in (["db", "upgrade"], ["db", "seed"], ["db", "seed"]):
            done = pakn(*command, database_url=url, environment={"PATH": ""})
            assert done.returncode == 0, done.stderr
        assert asyncio.run(_reference_counts(url))["PROVINCE"] == 34


@pytest.mark.parametrize("code", ["VPCP", "BTC", "NHNN", "UBND-01", "UBND-79"])
def test_well_known_agency_codes(code: str) -> None:
    from app.domain.reference import agencies

    assert code in {a.code for a in agencies()}


def test_models_match_migrations(backend: str, tmp_path: Path) -> None:
    """Alembic finds nothing to generate: the models and the migrations agree."""
    from alembic import command

    from db.migrate import alembic_config

    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        command.check(alembic_config(url))
