"""C2SP signed notes, checkpoints and cosignatures (`app.domain.signed_note`) against
notes signed by other implementations (`data/signed_notes.json`): Go's sumdb/note example,
reproduced byte for byte, and a real checkpoint of a public CT log with the cosignature of
a public witness; and malformed notes and keys refused."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.signed_note import (
    COSIGNATURE,
    Checkpoint,
    Note,
    NoteError,
    Signer,
    Verifier,
    cosignature_time,
)

DATA = json.loads((Path(__file__).parent / "data" / "signed_notes.json").read_text())
GO = DATA["go_note"]
CT = DATA["cosigned_checkpoint"]


def _go_signer() -> Signer:
    material = GO["signer_key"].split("+", 4)[4]
    raw = base64.b64decode(material)
    assert raw[0] == 1
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(raw[1:]))


def test_the_go_example_is_signed_byte_for_byte() -> None:
    signer = _go_signer()
    assert str(signer.verifier) == GO["verifier_key"]
    assert GO["text"] + "\n" + signer.sign(GO["text"]) == GO["note"]
    note = Note.parse(GO["note"])
    assert str(note) == GO["note"] and note.text == GO["text"]
    assert note.signed_by(Verifier.parse(GO["verifier_key"])) is not None


def test_a_changed_text_does_not_verify() -> None:
    note = Note.parse(GO["note"].replace("cryptography", "cryptographY"))
    with pytest.raises(NoteError, match="does not verify"):
        note.signed_by(Verifier.parse(GO["verifier_key"]))


def test_an_unknown_key_is_ignored() -> None:
    other = Signer("PeterNeumann", Ed25519PrivateKey.generate()).verifier
    assert Note.parse(GO["note"]).signed_by(other) is None


def test_a_public_logs_checkpoint_and_a_witness_cosignature_verify() -> None:
    note = Note.parse(CT["note"])
    checkpoint = Checkpoint.parse(note.text)
    assert (checkpoint.origin, checkpoint.size) == (
        "arche2025h1.staging.ct.transparency.dev",
        1432088532,
    )
    assert checkpoint.body == note.text
    assert note.signed_by(Verifier.parse(CT["log_key"])) is not None
    cosigned = note.signed_by(Verifier.parse(CT["witness_key"]))
    assert cosigned is not None and cosignature_time(cosigned) > 1_700_000_000
    clobbered = dataclasses.replace(checkpoint, size=42)
    forged = Note(clobbered.body, note.signatures)
    for key in (CT["log_key"], CT["witness_key"]):
        with pytest.raises(NoteError):
            forged.signed_by(Verifier.parse(key))


def test_a_cosignature_round_trip_commits_to_its_time() -> None:
    log = Signer("pakn.example.vn/log", Ed25519PrivateKey.generate())
    witness = Signer("witness.example.edu.vn", Ed25519PrivateKey.generate(), COSIGNATURE)
    body = Checkpoint("pakn.example.vn/log", 3, b"\x07" * 32).body
    text = body + "\n" + log.sign(body) + witness.cosign(body, 1_790_000_000)
    note = Note.parse(text)
    cosigned = note.signed_by(witness.verifier)
    assert cosigned is not None and cosignature_time(cosigned) == 1_790_000_000
    assert str(witness.verifier).split("+")[2].startswith("B")  # type 0x04
    blob = bytearray(base64.b64decode(cosigned.line.split(" ")[2]))
    blob[11] ^= 1  # the timestamp's last byte
    changed = f"— {witness.name} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(NoteError):
        Note.parse(body + "\n" + changed).signed_by(witness.verifier)
    with pytest.raises(NoteError):
        log.cosign(body, 1)
    with pytest.raises(NoteError):
        witness.sign(body)


def test_every_mangled_verifier_key_is_refused() -> None:
    key = GO["verifier_key"]
    Verifier.parse(key)
    for i in range(len(key) + 1):
        for j in range(i + 1, len(key) + 1):
            if (i, j) != (0, len(key)):
                with pytest.raises(NoteError):
                    Verifier.parse(key[i:j])
    for i in range(len(key)):
        changed = key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :]
        with pytest.raises(NoteError):
            Verifier.parse(changed)


@pytest.mark.parametrize(
    "note",
    [
        "",
        "text\n",
        "text\n\n",
        "text\n\n— name\n",
        "text\n\n— name !!!!\n",
        "text\n\n— name AAAA\n",
        "text\n\n— na me AAAAAAAA\n",
        "text\n\n— na+me AAAAAAAA\n",
        "text\n\n- name AAAAAAAA\n",
        "text\n\n— name AAAAAAAA",
        "te\x01xt\n\n— name AAAAAAAA\n",
        "text\r\n\n— name AAAAAAAA\n",
        "text\n\n" + "— name AAAAAAAA\n" * 33,
        "x" * 70_000 + "\n\n— name AAAAAAAA\n",
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError):
        Note.parse(note)


def test_a_note_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(NoteError):
        Note.parse(b"\xff\n\n\xe2\x80\x94 name AAAAAAAA\n")


@pytest.mark.parametrize(
    "body",
    [
        "origin\n1\n",
        "origin\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n1\nAAAA\n",
        "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
        "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    ],
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(body)


def test_a_checkpoint_spells_back() -> None:
    body = "pakn.example.vn/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    assert Checkpoint.parse(body).body == body
