"""The C2SP tlog-witness add-checkpoint rules (`app.domain.witness`): the request's form,
and each answer the specification gives (200, 400, 403, 404, 409 with the size, 422)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain import merkle
from app.domain.signed_note import Checkpoint, Note, Signer
from app.domain.witness import AddCheckpoint, Malformed, Seen, judge

from . import rfc9162

ORIGIN = "pakn.example.vn/log"
ENTRIES = [f"leaf {i}".encode() for i in range(20)]
LOG = Signer(ORIGIN, Ed25519PrivateKey.generate())


def _request(old: int, new: int, signer: Signer = LOG, origin: str = ORIGIN) -> AddCheckpoint:
    body = Checkpoint(origin, new, rfc9162.mth(ENTRIES[:new])).body
    note = Note.parse(body + "\n" + signer.sign(body))
    proof = tuple(rfc9162.proof(old, ENTRIES[:new])) if 0 < old < new else ()
    return AddCheckpoint.parse(
        AddCheckpoint(old, proof, note, Checkpoint.parse(body)).body().encode()
    )


def _seen(size: int) -> Seen:
    return Seen(size, rfc9162.mth(ENTRIES[:size]))


def test_the_first_and_a_consistent_checkpoint_are_cosigned() -> None:
    assert judge(_request(0, 5), [LOG.verifier], None).status == 200
    assert judge(_request(5, 12), [LOG.verifier], _seen(5)).status == 200
    assert judge(_request(12, 12), [LOG.verifier], _seen(12)).status == 200


def test_each_refusal_of_the_specification() -> None:
    keys = [LOG.verifier]
    assert judge(_request(0, 5, origin="other.example/log"), keys, None).status == 404
    stranger = Signer(ORIGIN, Ed25519PrivateKey.generate())
    assert judge(_request(0, 5, signer=stranger), keys, None).status == 403
    stale = judge(_request(3, 12), keys, _seen(5))
    assert (stale.status, stale.size) == (409, 5)
    assert judge(_request(0, 12), keys, _seen(5)).status == 409
    forked = AddCheckpoint.parse(_request(0, 5).body().replace("old 0", "old 5").encode())
    other = Seen(5, b"\7" * 32)
    assert judge(forked, keys, other).status == 409, "another root for the same size"
    wrong = _request(5, 12)
    bent = AddCheckpoint(5, (b"\0" * 32, *wrong.proof[1:]), wrong.note, wrong.checkpoint)
    assert judge(bent, keys, _seen(5)).status == 422
    past = AddCheckpoint.parse(_request(0, 5).body().replace("old 0", "old 9").encode())
    assert judge(past, keys, _seen(9)).status == 400


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 01\n\nx",
        b"old -1\n\n",
        b"new 1\n\n",
        b"old 1\nnot base64!\n\n",
        b"old 1\nAAAA\n\n" + b"x",
        b"old 1\n" + b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" * 64 + b"\n",
        b"old 0\n\nnot a note\n",
        b"\xff\xfe",
        b"old 0\n\n" + b"x" * 70_000,
    ],
)
def test_malformed_requests_are_refused(body: bytes) -> None:
    with pytest.raises(Malformed):
        AddCheckpoint.parse(body)


def test_the_request_spells_back() -> None:
    request = _request(5, 12)
    assert AddCheckpoint.parse(request.body().encode()) == request
    assert len(request.proof) == len(rfc9162.proof(5, ENTRIES[:12]))
    merkle.verify_consistency(5, 12, _seen(5).root, request.checkpoint.root, request.proof)


def test_the_reviews_edge_cases() -> None:
    """A log whose first cosigned tree was empty still advances; equal sizes take no
    proof; a failing signature of one trusted key does not hide another's good one."""
    empty = Seen(0, merkle.EMPTY_ROOT)
    assert judge(_request(0, 5), [LOG.verifier], empty).status == 200
    same = _request(5, 5)
    padded = AddCheckpoint(5, (b"\0" * 32,), same.note, same.checkpoint)
    assert judge(padded, [LOG.verifier], _seen(5)).status == 422
    other = Signer(ORIGIN, Ed25519PrivateKey.generate())
    body = Checkpoint(ORIGIN, 5, rfc9162.mth(ENTRIES[:5])).body
    blob = bytearray(base64.b64decode(other.sign(body).split(" ")[-1]))
    blob[-1] ^= 1  # a trusted key's name and id, a signature that does not verify
    wrong = f"\u2014 {ORIGIN} {base64.b64encode(bytes(blob)).decode()}\n"
    note = Note.parse(body + "\n" + wrong + LOG.sign(body))
    both = AddCheckpoint(0, (), note, Checkpoint.parse(body))
    keys = [other.verifier, LOG.verifier]
    assert judge(both, keys, None).status == 200
