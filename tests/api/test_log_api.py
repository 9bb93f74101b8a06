"""The transparency log over GraphQL (#16, point 3), on both databases: a petition's events
name their leaves; the proofs and entries the API gives verify against the signed
checkpoint with nothing but the RFC's hashing and the log key; arguments outside the signed
tree get coded refusals."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.demo import load_demo
from app.domain import log_entry, merkle
from app.domain.log_entry import Entry
from app.domain.signed_note import Checkpoint, Note, Signer, Verifier
from db.engine import create_engine, session_factory
from db.models import Petition
from tests.support.demo_rows import NOW
from tests.support.inclusion_check import check_inclusion
from tests.support.log import sign
from tests.support.server import RunningServer
from tests.support.workflow import TEST_KEK, make_tokens, serving_workflow, workflow_settings

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINT = "{ logCheckpoint { origin treeSize rootHash signedNote } logPublicKeys }"
EVENTS = """query($c: String!) {
  petition(trackingCode: $c) {
    title body
    events(first: 50) { nodes { logIndex action note noteSalt titleSalt bodySalt } }
  }
}"""
INCLUSION = "query($i: Int!, $n: Int!) { inclusionProof(logIndex: $i, treeSize: $n) }"
CONSISTENCY = "query($a: Int!, $b: Int!) { consistencyProof(fromSize: $a, toSize: $b) }"
ENTRY = "query($i: Int!) { logEntry(logIndex: $i) }"


async def _load_and_sign(url: str, checkpoint: bool = True) -> str:
    """20 demo petitions (and a checkpoint); the newest petition's tracking code."""
    if checkpoint:
        await sign(url, 20, 12)
    else:
        engine = create_engine(url)
        await load_demo(engine, 20, 12, key_encryption_key=TEST_KEK, now=NOW)
        await engine.dispose()
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            newest = select(Petition.tracking_code).order_by(Petition.id.desc()).limit(1)
            return str((await session.execute(newest)).scalar_one())
    finally:
        await engine.dispose()


def _check_texts(entry: Entry, event: dict[str, Any], petition: dict[str, Any]) -> None:
    """The texts the API shows, with their salts, are those the leaf commits to."""
    if event["note"] is None:
        assert event["noteSalt"] is None
    else:
        salt = base64.b64decode(event["noteSalt"])
        assert entry.note == log_entry.commitment(salt, event["note"])
    if event["action"] != "SUBMIT":
        assert event["titleSalt"] is event["bodySalt"] is None
        return
    if petition["title"] is None:
        assert event["titleSalt"] is event["bodySalt"] is None, "private: no salt either"
        return
    title, body = (base64.b64decode(event[k]) for k in ("titleSalt", "bodySalt"))
    assert entry.title == log_entry.commitment(title, petition["title"])
    assert entry.body == log_entry.commitment(body, petition["body"])


def _codes(server: RunningServer, query: str, variables: dict[str, int]) -> list[str]:
    return [e["extensions"]["code"] for e in server.errors(query, variables)]


def test_a_petitions_events_are_proven_in_the_signed_tree(empty_database: str) -> None:
    with RunningServer(workflow_settings(empty_database)) as server:
        code = asyncio.run(_load_and_sign(empty_database))
        data = server.gql(CHECKPOINT)
        checkpoint, (vkey,) = data["logCheckpoint"], data["logPublicKeys"]
        note = Note.parse(checkpoint["signedNote"])
        assert note.signed_by(Verifier.parse(vkey)) is not None
        body = Checkpoint.parse(note.text)
        size, root = checkpoint["treeSize"], base64.b64decode(checkpoint["rootHash"])
        assert (body.origin, body.size, body.root) == (checkpoint["origin"], size, root)

        petition = server.gql(EVENTS, {"c": code})["petition"]
        events = petition["events"]["nodes"]
        assert events
        for event in events:
            index = event["logIndex"]
            entry = base64.b64decode(server.gql(ENTRY, {"i": index})["logEntry"])
            decoded = Entry.decode(entry)
            assert (decoded.tracking_code, decoded.action) == (code, event["action"])
            _check_texts(decoded, event, petition)
            proof = server.gql(INCLUSION, {"i": index, "n": size})["inclusionProof"]
            merkle.verify_inclusion(
                index, size, merkle.leaf_hash(entry), [base64.b64decode(p) for p in proof], root
            )
        first = base64.b64decode(server.gql(ENTRY, {"i": 0})["logEntry"])
        proof = server.gql(CONSISTENCY, {"a": 1, "b": size})["consistencyProof"]
        merkle.verify_consistency(
            1, size, merkle.leaf_hash(first), root, [base64.b64decode(p) for p in proof]
        )

        assert _codes(server, INCLUSION, {"i": 0, "n": 0}) == ["TREE_SIZE_OUT_OF_RANGE"]
        assert _codes(server, INCLUSION, {"i": 0, "n": size + 1}) == ["TREE_SIZE_OUT_OF_RANGE"]
        assert _codes(server, INCLUSION, {"i": size, "n": size}) == ["LOG_INDEX_OUT_OF_RANGE"]
        assert _codes(server, INCLUSION, {"i": -1, "n": size}) == ["LOG_INDEX_OUT_OF_RANGE"]
        assert _codes(server, CONSISTENCY, {"a": 3, "b": 2}) == ["TREE_SIZE_OUT_OF_RANGE"]
        assert _codes(server, CONSISTENCY, {"a": 0, "b": 2}) == ["TREE_SIZE_OUT_OF_RANGE"]
        assert _codes(server, CONSISTENCY, {"a": 1, "b": size + 1}) == ["TREE_SIZE_OUT_OF_RANGE"]
        assert _codes(server, ENTRY, {"i": size}) == ["LOG_INDEX_OUT_OF_RANGE"]
        assert _codes(server, ENTRY, {"i": 2**31 - 1}) == ["LOG_INDEX_OUT_OF_RANGE"]


def test_before_any_checkpoint_the_log_answers_with_codes(empty_database: str) -> None:
    with RunningServer(workflow_settings(empty_database)) as server:
        asyncio.run(_load_and_sign(empty_database, checkpoint=False))
        assert _codes(server, "{ logCheckpoint { treeSize } }", {}) == ["NOT_FOUND"]
        assert _codes(server, INCLUSION, {"i": 0, "n": 1}) == ["TREE_SIZE_OUT_OF_RANGE"]
        assert _codes(server, ENTRY, {"i": 0}) == ["TREE_SIZE_OUT_OF_RANGE"]
        assert server.gql("{ logPublicKeys }")["logPublicKeys"] == []


def test_a_private_petitions_salts_go_only_to_those_who_read_its_text(
    empty_database: str,
) -> None:
    tokens = asyncio.run(make_tokens(empty_database))
    with serving_workflow(empty_database, tokens) as workflow:
        code = workflow.submit(isPrivate=True)["petition"]["trackingCode"]
        asyncio.run(sign(empty_database))
        public = workflow.server.gql(EVENTS, {"c": code})["petition"]
        (submit,) = public["events"]["nodes"]
        assert public["title"] is None and submit["titleSalt"] is submit["bodySalt"] is None
        auth = {"Authorization": f"Bearer {tokens.coordinator}"}
        coordinator = workflow.server.post(EVENTS, {"c": code}, headers=auth).json()
        petition = coordinator["data"]["petition"]
        (submit,) = petition["events"]["nodes"]
        entry = base64.b64decode(workflow.server.gql(ENTRY, {"i": submit["logIndex"]})["logEntry"])
        assert petition["title"] is not None and submit["titleSalt"] is not None
        _check_texts(Entry.decode(entry), submit, petition)


def test_the_readmes_stand_alone_check_proves_an_event(empty_database: str) -> None:
    """`tests/support/inclusion_check.py`, which the README quotes word for word, proves
    every event of a petition with the standard library and `cryptography` alone, and
    refuses a key that is not the log's."""
    with RunningServer(workflow_settings(empty_database)) as server:
        code = asyncio.run(_load_and_sign(empty_database))
        (vkey,) = server.gql("{ logPublicKeys }")["logPublicKeys"]
        events = server.gql(EVENTS, {"c": code})["petition"]["events"]["nodes"]
        for event in events:
            entry = check_inclusion(server.url, vkey, event["logIndex"])
            assert Entry.decode(entry).tracking_code == code
        other = str(Signer("127.0.0.1:8000/log", Ed25519PrivateKey.generate()).verifier)
        with pytest.raises(ValueError, match="not signed by this key"):
            check_inclusion(server.url, other, events[0]["logIndex"])
    source = (ROOT / "tests/support/inclusion_check.py").read_text()
    code_block = source[source.index("import base64") :]
    assert f"```python\n{code_block}```" in (ROOT / "README.md").read_text()


INTERNAL = """query($c: String!) { petition(trackingCode: $c) { events(first: 20) { nodes {
  logIndex action fromStatus toStatus at actorRole agency { code } note noteSalt blindingSalt
} } } }"""


def test_an_internal_event_is_blinded_in_the_log_and_checkable_by_its_readers(
    empty_database: str,
) -> None:
    """A transfer request is internal: the public log says only that an event took its
    place; the Government Office, shown the event and its blinding salt, checks the leaf."""
    tokens = asyncio.run(make_tokens(empty_database))
    with serving_workflow(empty_database, tokens) as workflow:
        petition, _secret = workflow.assigned()
        workflow.act("request_transfer", tokens.btc, petition, note="Thuộc thẩm quyền Sở Y tế.")
        asyncio.run(sign(empty_database))
        code = petition["trackingCode"]
        public = workflow.server.gql(INTERNAL, {"c": code})["petition"]["events"]["nodes"]
        assert [e["action"] for e in public] == ["SUBMIT", "ASSIGN"]
        auth = {"Authorization": f"Bearer {tokens.coordinator}"}
        seen = workflow.server.post(INTERNAL, {"c": code}, headers=auth).json()
        (event,) = [
            e
            for e in seen["data"]["petition"]["events"]["nodes"]
            if e["action"] == "REQUEST_TRANSFER"
        ]
        leaf = base64.b64decode(workflow.server.gql(ENTRY, {"i": event["logIndex"]})["logEntry"])
        blinded = log_entry.parse_leaf(leaf)
        assert isinstance(blinded, log_entry.Blinded)
        assert code.encode() not in leaf and b"REQUEST_TRANSFER" not in leaf
        assert all(shown["blindingSalt"] is None for shown in public)
        rebuilt = Entry(
            event_id=event["logIndex"] + 1,
            tracking_code=code,
            action=event["action"],
            from_status=event["fromStatus"],
            to_status=event["toStatus"],
            at=datetime.fromisoformat(event["at"]),
            actor_role=event["actorRole"],
            agency_code=event["agency"]["code"],
            is_public=False,
            note=log_entry.commitment(base64.b64decode(event["noteSalt"]), event["note"]),
        )
        salt = base64.b64decode(event["blindingSalt"])
        assert log_entry.Blinded.of(rebuilt, salt) == blinded
