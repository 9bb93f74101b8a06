"""`pakn verify URL` (#16, point 5) as a journalist runs it, against a live server on both
databases, with nothing but the public URL: an honest log passes, the state file pins the
key and the last checkpoint; then each kind of tampering is caught with a message naming
what failed: an event changed in the database, a leaf, a tile, a forked history (the
database rewritten and the tree rebuilt and re-signed), and a log signed by another key."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import load_demo
from app.domain.timezone import now
from db import log_checkpoints, log_leaves
from db.engine import create_engine, session_factory
from db.models import BlobChunk, LogCheckpoint, LogEntry, LogHash, Petition, PetitionEvent
from tests.support import sample_files
from tests.support.cli import pakn
from tests.support.demo_rows import NOW
from tests.support.seal_check import check_answer
from tests.support.server import RunningServer
from tests.support.uploads import post_files
from tests.support.workflow import (
    ANSWER_TEXT,
    TEST_KEK,
    make_tokens,
    serving_workflow,
    workflow_settings,
)

PUBLIC_URL = "http://127.0.0.1:8000"
ROOT = Path(__file__).resolve().parents[2]


async def _in_session(url: str, work: object) -> object:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            result = await work(session)  # type: ignore[operator]
            await session.commit()
            return result
    finally:
        await engine.dispose()


def run(url: str, work: object) -> object:
    return asyncio.run(_in_session(url, work))


async def _sign(session: AsyncSession) -> None:
    await log_checkpoints.issue(session, TEST_KEK, PUBLIC_URL, now())


async def _answered_petition(session: AsyncSession) -> str:
    """An answered petition in the second tile of leaves (beyond event 256)."""
    code = await session.scalar(
        select(Petition.tracking_code)
        .join(PetitionEvent, PetitionEvent.petition_id == Petition.id)
        .where(PetitionEvent.action == "ANSWER", PetitionEvent.id > 300)
        .order_by(PetitionEvent.id)
        .limit(1)
    )
    assert code is not None
    return code


@pytest.fixture
def served(empty_database: str) -> Iterator[tuple[str, str, RunningServer]]:
    """90 demo petitions (over 400 events), a checkpoint, an answered petition's code."""
    engine = create_engine(empty_database)
    asyncio.run(load_demo(engine, 90, 13, key_encryption_key=TEST_KEK, now=NOW))
    asyncio.run(engine.dispose())
    run(empty_database, _sign)
    code = run(empty_database, _answered_petition)
    with RunningServer(workflow_settings(empty_database)) as server:
        yield empty_database, str(code), server


def verify(server: RunningServer, *args: str) -> tuple[int, str]:
    done = pakn("verify", server.url, *args)
    return done.returncode, done.stdout + done.stderr


def test_an_honest_log_passes_and_the_state_pins_key_and_checkpoint(
    served: tuple[str, str, RunningServer], tmp_path: Path
) -> None:
    url, code, server = served
    state = tmp_path / "state.json"
    status, said = verify(server, "--petition", code, "--state", str(state))
    assert status == 0, said
    assert "log key taken on first use" in said and "every check passed" in said
    assert f"events of {code} in the log" in said and "sealed by" in said
    kept = json.loads(state.read_text())
    assert kept["key"].startswith("127.0.0.1:8000/log+") and kept["size"] > 256

    engine = create_engine(url)
    asyncio.run(load_demo(engine, 5, 14, key_encryption_key=TEST_KEK, now=NOW))
    asyncio.run(engine.dispose())
    run(url, _sign)
    status, said = verify(server, "--state", str(state))
    assert status == 0, said
    assert f"extends the {kept['size']} events last checked" in said
    assert json.loads(state.read_text())["size"] > kept["size"]


def test_an_event_changed_in_the_database_is_caught(
    served: tuple[str, str, RunningServer],
) -> None:
    url, code, server = served

    async def backdate(session: AsyncSession) -> None:
        petition = select(Petition.id).where(Petition.tracking_code == code).scalar_subquery()
        answer = await session.scalar(
            select(PetitionEvent).where(
                PetitionEvent.petition_id == petition, PetitionEvent.action == "ANSWER"
            )
        )
        assert answer is not None
        answer.at = answer.at.replace(year=answer.at.year - 1)

    run(url, backdate)
    status, said = verify(server, "--petition", code)
    assert status == 1
    assert "(ANSWER): its time differs from the log's" in said, said


@pytest.mark.parametrize("what", ["leaf", "tile"])
def test_a_changed_leaf_or_tile_is_caught(
    served: tuple[str, str, RunningServer], what: str
) -> None:
    url, code, server = served

    async def tamper(session: AsyncSession) -> None:
        if what == "tile":
            await session.execute(
                update(LogHash)
                .where(LogHash.level == 1, LogHash.position == 0)
                .values(hash=b"\x01" * 32)
            )
            return
        petition = select(Petition.id).where(Petition.tracking_code == code).scalar_subquery()
        first = await session.scalar(
            select(PetitionEvent.id).where(PetitionEvent.petition_id == petition).limit(1)
        )
        await session.execute(
            update(LogEntry).where(LogEntry.event_id == first).values(leaf_hash=b"\x02" * 32)
        )

    run(url, tamper)
    status, said = verify(server, "--petition", code)
    assert status == 1
    assert "is not in the signed tree" in said, said


def test_a_forked_history_is_caught(served: tuple[str, str, RunningServer], tmp_path: Path) -> None:
    """The operator rewrites an old event, rebuilds the whole tree and signs it again
    with the log's own key: the checkpoint verifies, but not against the one seen before."""
    url, _code, server = served
    state = tmp_path / "state.json"
    assert verify(server, "--state", str(state))[0] == 0

    async def rewrite(session: AsyncSession) -> None:
        event = await session.get(PetitionEvent, 5)
        assert event is not None
        event.note = "rewritten"
        for table in (LogCheckpoint, LogHash, LogEntry):
            await session.execute(delete(table))
        await session.flush()
        await session.run_sync(lambda sync: log_leaves.extend(sync.connection()))
        await _sign(session)

    run(url, rewrite)
    status, said = verify(server, "--state", str(state))
    assert status == 1
    assert "history was rewritten" in said, said


def test_a_log_signed_by_another_key_is_reported_not_followed(
    served: tuple[str, str, RunningServer], tmp_path: Path
) -> None:
    url, _code, server = served
    state = tmp_path / "state.json"
    assert verify(server, "--state", str(state))[0] == 0
    pinned = json.loads(state.read_text())["key"]

    async def new_key(session: AsyncSession) -> None:
        await log_checkpoints.create_key(session, TEST_KEK, PUBLIC_URL, now())
        await session.execute(text("DELETE FROM log_checkpoints"))
        await _sign(session)

    run(url, new_key)
    status, said = verify(server, "--state", str(state))
    assert status == 1
    assert "not signed by the pinned log key" in said, said
    assert json.loads(state.read_text())["key"] == pinned, "the state keeps the old key"
    status, said = verify(server, "--key", pinned)
    assert status == 1 and "not signed by the pinned log key" in said


def test_verify_needs_no_pakn_of_ones_own(
    served: tuple[str, str, RunningServer], tmp_path: Path
) -> None:
    """A journalist's laptop has no pakn settings: `pakn verify` reads none, and leaves no
    secret key file (nor database) behind in the folder it ran in."""
    _url, _code, server = served
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAKN_")}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "verify", server.url],
        cwd=laptop,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(laptop.iterdir()) == []


def test_a_state_file_that_cannot_be_read_fails_plainly(
    served: tuple[str, str, RunningServer], tmp_path: Path
) -> None:
    _url, _code, server = served
    state = tmp_path / "state.json"
    state.write_text("{not json")
    status, said = verify(server, "--state", str(state))
    assert status == 1 and "cannot be read" in said and "Traceback" not in said
    assert state.read_text() == "{not json", "left as it was"


def test_an_agency_key_that_changes_under_its_id_is_caught(
    served: tuple[str, str, RunningServer], tmp_path: Path
) -> None:
    _url, code, server = served
    state = tmp_path / "state.json"
    assert verify(server, "--petition", code, "--state", str(state))[0] == 0
    kept = json.loads(state.read_text())
    assert kept["agency_keys"] and kept["origin"] == "127.0.0.1:8000/log"
    key_id = next(iter(kept["agency_keys"]))
    kept["agency_keys"][key_id] = base64.b64encode(b"\1" * 32).decode()
    state.write_text(json.dumps(kept))
    status, said = verify(server, "--petition", code, "--state", str(state))
    assert status == 1 and f"key {key_id} is not the key this state file saw" in said, said


def test_every_event_of_a_long_history_is_proven(empty_database: str) -> None:
    """More events than one page of the API (100): pakn verify pages through them all."""
    tokens = asyncio.run(make_tokens(empty_database))
    with serving_workflow(empty_database, tokens) as workflow:
        petition, _secret = workflow.in_progress()
        for step in range(100):
            petition = workflow.act("progress", tokens.btc, petition, note=f"Bước {step}.")
        run(empty_database, _sign)
        done = pakn("verify", workflow.server.url, "--petition", petition["trackingCode"])
    assert done.returncode == 0, done.stdout
    assert f"all 103 events of {petition['trackingCode']} in the log" in done.stdout


ANSWER_WITH_FILES = """mutation($input: AnswerPetitionInput!) { answerPetition(input: $input) {
  petition { trackingCode } userErrors { code field } } }"""
SEALED = """query($c: String!) { petition(trackingCode: $c) { answers {
  body bodySha256 sealVersion signature keyId answeredAt
  agency { code publicKeys { keyId publicKey } } attachments { sha256 url isPublic } } } }"""


async def _change_a_stored_file(session: AsyncSession) -> None:
    """One byte of each stored file's last chunk, its length kept."""
    for chunk in await session.scalars(select(BlobChunk)):
        data = bytes(chunk.data)
        chunk.data = data[:-1] + bytes([data[-1] ^ 1])


def test_an_answers_documents_are_sealed_with_it(empty_database: str) -> None:
    """The agency's documents are public and their SHA-256s are signed with the answer:
    `pakn verify` and the README's snippet check them, and a stored file changed after
    sealing fails the check (#18, point 2)."""
    tokens = asyncio.run(make_tokens(empty_database))
    with serving_workflow(empty_database, tokens) as workflow:
        petition, _secret = workflow.in_progress()
        input = {
            "petitionId": petition["id"],
            "expectedVersion": petition["version"],
            "body": ANSWER_TEXT,
        }
        files = [
            ("công văn.pdf", sample_files.pdf(), "application/pdf"),
            ("ảnh.png", sample_files.png(), "image/png"),
        ]
        answered = post_files(workflow.server, ANSWER_WITH_FILES, input, files, token=tokens.btc)
        assert answered.json()["data"]["answerPetition"]["userErrors"] == [], answered.text
        code = petition["trackingCode"]
        run(empty_database, _sign)
        done = pakn("verify", workflow.server.url, "--petition", code)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "answer 1: its 2 documents as sealed" in done.stdout

        answer = workflow.server.gql(SEALED, {"c": code})["petition"]["answers"][0]
        assert [file["isPublic"] for file in answer["attachments"]] == [True, True]
        assert check_answer(answer, code) == "sealed"
        forged = {**answer, "attachments": answer["attachments"][:1]}
        with pytest.raises(InvalidSignature):
            check_answer(forged, code)

        run(empty_database, _change_a_stored_file)
        changed = pakn("verify", workflow.server.url, "--petition", code)
        assert changed.returncode == 1
        assert "is not the one its seal signs" in changed.stdout
