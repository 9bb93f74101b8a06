"""C2SP tlog-witness `add-checkpoint` (#16, point 6): the request's form, and what a
witness answers to it given the last checkpoint it cosigned for the log.

The request body: `old <size>\\n`, at most 63 base64 consistency proof lines, an empty
line, then the checkpoint (a signed note). The witness answers 404 for a log it does not
know, 403 when no signature verifies under the log's keys, 400 when the old size exceeds
the new, 409 (with its size, `text/x.tlog.size`) when the old size is not the one it
cosigned last or the same size comes with another root, 422 when the consistency proof
fails; otherwise it cosigns and keeps the checkpoint as its new state.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from app.domain import merkle
from app.domain.signed_note import MAX_NOTE_BYTES, Checkpoint, Note, NoteError, Verifier

MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = MAX_NOTE_BYTES + 64 * 50
SIZE_MEDIA_TYPE = "text/x.tlog.size"
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")


class Malformed(ValueError):
    """Not an add-checkpoint request (400)."""


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: Note
    checkpoint: Checkpoint

    def body(self) -> str:
        lines = [f"old {self.old_size}", *(base64.b64encode(p).decode() for p in self.proof)]
        return "\n".join(lines) + "\n\n" + str(self.note)

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpoint:
        if len(body) > MAX_REQUEST_BYTES:
            raise Malformed(f"a request is at most {MAX_REQUEST_BYTES} bytes")
        try:
            text = body.decode()
        except UnicodeDecodeError:
            raise Malformed("a request is UTF-8") from None
        head, blank, rest = text.partition("\n\n")
        lines = head.split("\n")
        matched = _OLD.fullmatch(lines[0])
        if not blank or matched is None:
            raise Malformed("a request starts 'old <size>', then the proof, an empty line")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise Malformed(f"a proof has at most {MAX_PROOF_LINES} lines")
        try:
            proof = tuple(base64.b64decode(line, validate=True) for line in lines[1:])
            note = Note.parse(rest)
            checkpoint = Checkpoint.parse(note.text)
        except (binascii.Error, NoteError) as bad:
            raise Malformed(str(bad)) from None
        if any(len(p) != merkle.HASH_SIZE for p in proof):
            raise Malformed(f"a proof's hashes are {merkle.HASH_SIZE} bytes")
        return cls(int(matched.group(1)), proof, note, checkpoint)


@dataclass(frozen=True)
class Seen:
    """The last checkpoint a witness cosigned for a log."""

    size: int
    root: bytes


@dataclass(frozen=True)
class Verdict:
    status: int
    reason: str
    size: int | None = None
    """For a 409: the size the witness cosigned last."""


ACCEPTED = Verdict(200, "cosigned")


def judge(request: AddCheckpoint, log_keys: list[Verifier], seen: Seen | None) -> Verdict:
    """The witness's answer to `request`, trusting `log_keys` (a log's keys are named after
    its origin: none of that name, an unknown log) and having cosigned `seen` last."""
    checkpoint = request.checkpoint
    keys = [k for k in log_keys if k.name == checkpoint.origin]
    if not keys:
        return Verdict(404, f"unknown log {checkpoint.origin}")
    if not any(_signed_by(request.note, key) for key in keys):
        return Verdict(403, "no signature of the log's keys verifies")
    if request.old_size > checkpoint.size:
        return Verdict(400, "the old size exceeds the checkpoint's")
    last = seen.size if seen is not None else 0
    if request.old_size != last:
        return Verdict(409, f"the last checkpoint cosigned has {last} leaves", last)
    if seen is not None and checkpoint.size == seen.size:
        if checkpoint.root != seen.root:
            return Verdict(409, "another root for the size cosigned last", last)
        if request.proof:
            return Verdict(422, "a proof between equal sizes is empty")
        return ACCEPTED
    if seen is None or seen.size == 0:
        if request.proof:
            return Verdict(422, "a proof from size 0 is empty")
        return ACCEPTED
    try:
        merkle.verify_consistency(
            seen.size, checkpoint.size, seen.root, checkpoint.root, request.proof
        )
    except merkle.ProofError as failed:
        return Verdict(422, f"the consistency proof does not verify: {failed}")
    return ACCEPTED


def _signed_by(note: Note, key: Verifier) -> bool:
    """Whether `key` signed `note`; a signature of a known key that does not verify is not
    its signature (another trusted key's may still be)."""
    try:
        return note.signed_by(key) is not None
    except NoteError:
        return False
