"""`pakn witness serve` (#16, point 6): a C2SP tlog-witness that a newsroom or a university
runs beside, not inside, the Government Office's pakn (its HTTP face: `app.web.witness_app`).

It knows the logs it was told of (`--log-key`, a log's verifier key, named after its
origin), keeps for each the last checkpoint it cosigned in a state file, and answers
`POST /add-checkpoint` as `app.domain.witness.judge` says, cosigning (tlog-cosignature/v1,
Ed25519) what extends what it saw. Checking the old size and keeping the new checkpoint
happen under one lock, and the state is on disk (written, synced, renamed into place)
before the cosignature is sent.

The key file holds `PRIVATE+KEY+<name>+<hex key id>+<base64(0x04 || Ed25519 seed)>`; a
missing one is made (0600) with `--name`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.signed_note import COSIGNATURE, NoteError, Signer, Verifier
from app.domain.witness import (
    SIZE_MEDIA_TYPE,
    AddCheckpoint,
    Malformed,
    Seen,
    judge,
)

KEY_PREFIX = "PRIVATE+KEY+"


class KeyFileError(ValueError):
    """A key file that is not a witness key."""


def load_or_create_key(path: Path, name: str | None) -> Signer:
    if not path.exists():
        if not name:
            raise KeyFileError(f"{path} does not exist: give --name to make a new key")
        signer = Signer(name, Ed25519PrivateKey.generate(), COSIGNATURE)
        seed = signer.private_key.private_bytes_raw()
        material = base64.b64encode(bytes([COSIGNATURE]) + seed).decode()
        key_id = signer.verifier.key_id.hex()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(f"{KEY_PREFIX}{name}+{key_id}+{material}\n")
        return signer
    text = path.read_text().strip()
    if not text.startswith(KEY_PREFIX):
        raise KeyFileError(f"{path} is not a witness key file")
    parts = text[len(KEY_PREFIX) :].split("+", 2)
    if len(parts) != 3:
        raise KeyFileError(f"{path} is not a witness key file")
    key_name, key_id, material = parts
    raw = base64.b64decode(material)
    if len(raw) != 33 or raw[0] != COSIGNATURE:
        raise KeyFileError(f"{path} holds no Ed25519 cosignature key")
    signer = Signer(key_name, Ed25519PrivateKey.from_private_bytes(raw[1:]), COSIGNATURE)
    if signer.verifier.key_id.hex() != key_id:
        raise KeyFileError(f"{path}: the key id does not match the key")
    return signer


class WitnessState:
    """The last checkpoint cosigned for each origin, kept in a JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, Seen] = {}
        if path.exists():
            data = json.loads(path.read_text() or "{}")
            self.seen = {
                origin: Seen(int(v["size"]), base64.b64decode(v["root"]))
                for origin, v in data.items()
            }

    def keep(self, origin: str, seen: Seen) -> None:
        self.seen[origin] = seen
        data = {
            o: {"size": s.size, "root": base64.b64encode(s.root).decode()}
            for o, s in self.seen.items()
        }
        folder = self.path.resolve().parent
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as out:
            json.dump(data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(out.name, self.path)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    media_type: str = "text/plain; charset=utf-8"


class WitnessKeeper:
    """The witness's decisions, one at a time: checking the old size against the state
    and keeping the new checkpoint are one step under the lock."""

    def __init__(self, signer: Signer, log_keys: list[Verifier], state: WitnessState) -> None:
        self.signer = signer
        self.log_keys = log_keys
        self.state = state
        self._lock = asyncio.Lock()

    async def add_checkpoint(self, body: bytes) -> Answer:
        try:
            submitted = AddCheckpoint.parse(body)
        except (Malformed, NoteError) as bad:
            return Answer(400, f"{bad}\n")
        checkpoint = submitted.checkpoint
        async with self._lock:
            verdict = judge(submitted, self.log_keys, self.state.seen.get(checkpoint.origin))
            if verdict.status == 409 and verdict.size is not None:
                return Answer(409, f"{verdict.size}\n", SIZE_MEDIA_TYPE)
            if verdict.status != 200:
                return Answer(verdict.status, f"{verdict.reason}\n")
            self.state.keep(checkpoint.origin, Seen(checkpoint.size, checkpoint.root))
        return Answer(200, self.signer.cosign(submitted.note.text, int(time.time())))
