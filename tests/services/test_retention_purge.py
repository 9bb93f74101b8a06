"""The retention period (#14, point 4): `pakn privacy purge` erases the contact data of
settled petitions whose last event is older than PAKN_CONTACT_RETENTION_DAYS, in batches,
once; open and recent petitions keep theirs. The demo's histories (twenty months up to now)
give petitions settled long ago, open long ago and settled lately."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.retention import contact_due_for_erasure
from app.domain.timezone import now
from app.domain.vocabulary import OPEN_STATUSES
from tests.support.cli import pakn
from tests.support.databases import prepared_database
from tests.support.demo import load_demo
from tests.support.erasure import erasure_events, read_petitions
from tests.support.workflow import TEST_KEY

RETENTION_DAYS = 120
PETITIONS = 80


@pytest.fixture
def demo_to_purge(backend: str, tmp_path: Path) -> Iterator[str]:
    with prepared_database(backend, tmp_path) as url:
        asyncio.run(load_demo(url, PETITIONS, 5, prepare=False))
        yield url


def purge(url: str, *args: str, days: int = RETENTION_DAYS) -> str:
    environment = {
        **os.environ,
        "PAKN_SECRET_KEY": TEST_KEY,
        "PAKN_CONTACT_RETENTION_DAYS": str(days),
    }
    done = pakn("privacy", "purge", *args, database_url=url, environment=environment)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def check_intact(url: str) -> None:
    environment = {**os.environ, "PAKN_SECRET_KEY": TEST_KEY}
    for command in (("audit", "verify"), ("stats", "verify")):
        done = pakn(*command, database_url=url, environment=environment)
        assert done.returncode == 0, done.stdout + done.stderr


def test_pakn_privacy_purge_erases_what_is_due_once(demo_to_purge: str) -> None:
    url = demo_to_purge
    before = asyncio.run(read_petitions(url))
    moment = now()
    due = {
        ident
        for ident, p in before.items()
        if contact_due_for_erasure(p.status, p.last_event_at, moment, RETENTION_DAYS)
    }
    cutoff_age = moment.timestamp() - RETENTION_DAYS * 86_400
    old_but_open = {
        i
        for i, p in before.items()
        if p.status in OPEN_STATUSES and p.submitted_at.timestamp() < cutoff_age
    }
    settled_lately = {
        i
        for i, p in before.items()
        if p.status in ("CLOSED", "REJECTED", "ANSWERED") and i not in due
    }
    assert due and old_but_open and settled_lately, "the demo should hold each kind"
    assert all(p.has_contact and p.erased_at is None for p in before.values())

    printed = purge(url, "--batch", "7")  # several batches, each its own transaction

    assert f"erased the contact data of {len(due)} petitions" in printed
    after = asyncio.run(read_petitions(url))
    assert {i for i, p in after.items() if not p.has_contact} == due
    assert {i for i, p in after.items() if p.erased_at is not None} == due
    assert {i: p.status for i, p in after.items()} == {i: p.status for i, p in before.items()}
    events = asyncio.run(erasure_events(url))
    assert sorted(e[0] for e in events) == sorted(due)
    assert all(
        actor == "SYSTEM" and start == end == before[ident].status and note is None
        for ident, actor, start, end, note in events
    )
    check_intact(url)

    again = purge(url)
    assert "erased the contact data of 0 petitions" in again
    assert asyncio.run(erasure_events(url)) == events
    assert asyncio.run(read_petitions(url)) == after


def test_a_retention_of_zero_days_keeps_everything(demo_to_purge: str) -> None:
    printed = purge(demo_to_purge, days=0)
    assert "PAKN_CONTACT_RETENTION_DAYS is 0: contact data is kept" in printed
    assert all(p.has_contact for p in asyncio.run(read_petitions(demo_to_purge)).values())
    assert asyncio.run(erasure_events(demo_to_purge)) == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PAKN_CONTACT_RETENTION_DAYS", "-1"),
        ("PAKN_CONTACT_RETENTION_DAYS", "36501"),
        ("PAKN_CONTACT_RETENTION_DAYS", "1000000"),  # overflowed the cutoff at every run
        ("PAKN_PURGE_INTERVAL", "0"),
        ("PAKN_PURGE_INTERVAL", "0.01"),
        ("PAKN_PURGE_INTERVAL", "nan"),  # a loop without a pause
        ("PAKN_PURGE_INTERVAL", "inf"),
        ("PAKN_PURGE_INTERVAL", "-inf"),
        ("PAKN_PURGE_INTERVAL", "1e400"),
        ("PAKN_PURGE_INTERVAL", "604801"),
    ],
)
def test_a_meaningless_retention_setting_is_refused_at_start(
    tmp_path: Path, variable: str, value: str
) -> None:
    environment = {**os.environ, "PAKN_SECRET_KEY": TEST_KEY, variable: value}
    url = f"sqlite+aiosqlite:///{tmp_path / 'pakn.db'}"
    done = pakn("privacy", "purge", database_url=url, environment=environment)
    assert done.returncode == 2
    assert variable in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("value", ["0", "-3", "10001"])
def test_a_meaningless_batch_is_refused_on_stderr(tmp_path: Path, value: str) -> None:
    environment = {**os.environ, "PAKN_SECRET_KEY": TEST_KEY}
    url = f"sqlite+aiosqlite:///{tmp_path / 'pakn.db'}"
    done = pakn("privacy", "purge", "--batch", value, database_url=url, environment=environment)
    assert done.returncode == 2
    assert "--batch" in done.stderr and done.stdout == ""
