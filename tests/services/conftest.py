"""Fixtures of the services tests: the demo tests' SQLite body of `PETITIONS` demo
petitions loaded at `NOW` (`tests.support.demo_rows`), once for the whole package and only
read (`engine`), and its rows by table (`data`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

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
from tests.support.demo_rows import PETITIONS, _all, _loaded


@pytest.fixture(scope="package")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    folder = tmp_path_factory.mktemp("demo")
    loaded = await _loaded(f"sqlite+aiosqlite:///{folder}/t.db", PETITIONS, 1)
    yield loaded
    await loaded.dispose()


@pytest.fixture(scope="package")
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
