"""C2SP signed notes, checkpoints and cosignatures with Ed25519 (c2sp.org/signed-note,
tlog-checkpoint, tlog-cosignature v1).

A note is text ending in a newline, a blank line, then signature lines `— <name>
base64(key id || signature)`. A key is known by its name and key id; verifier keys are
spelt `<name>+<hex key id>+<base64(type || public key)>`, type 0x01 for a log's note
signature and 0x04 for a witness's timestamped cosignature. Parsing is strict and
bounded: what a stranger sends (a witness's answer, a checkpoint to a witness) is read
by it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.domain.merkle import HASH_SIZE

ED25519 = 0x01
COSIGNATURE = 0x04
MAX_NOTE_BYTES = 64 * 1024
MAX_SIGNATURES = 32
_DASH = "\u2014 "
_NAME = re.compile(r"[^\s+]+")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class NoteError(ValueError):
    """A note, checkpoint, key or signature that is malformed or does not verify."""


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    name: str
    kind: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public_key)

    def __str__(self) -> str:
        material = base64.b64encode(bytes([self.kind]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        name, _, rest = vkey.partition("+")
        hex_id, _, material = rest.partition("+")
        if not _NAME.fullmatch(name) or len(hex_id) != 8:
            raise NoteError("a verifier key is <name>+<hex key id>+<base64 key>")
        try:
            raw = base64.b64decode(material, validate=True)
            wanted = bytes.fromhex(hex_id)
        except (binascii.Error, ValueError):
            raise NoteError("a verifier key's id is hex and its key base64") from None
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE):
            raise NoteError("only Ed25519 note and cosignature keys are known")
        verifier = cls(name, raw[0], raw[1:])
        if verifier.key_id != wanted:
            raise NoteError(f"the key id of {name} does not match its key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey
    kind: int = ED25519

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.kind, self.private_key.public_key().public_bytes_raw())

    def sign(self, text: str) -> str:
        """The signature line of a note signature (type 0x01) over `text`."""
        if self.kind != ED25519:
            raise NoteError("a cosigner signs with cosign()")
        signature = self.private_key.sign(text.encode())
        return _line(self.name, self.verifier.key_id + signature)

    def cosign(self, body: str, timestamp: int) -> str:
        """The tlog-cosignature/v1 line over a checkpoint's `body` at `timestamp`."""
        if self.kind != COSIGNATURE:
            raise NoteError("a log key signs with sign()")
        signature = self.private_key.sign(cosigned_message(body, timestamp))
        return _line(self.name, self.verifier.key_id + struct.pack(">Q", timestamp) + signature)


def _line(name: str, blob: bytes) -> str:
    return f"{_DASH}{name} {base64.b64encode(blob).decode()}\n"


def cosigned_message(body: str, timestamp: int) -> bytes:
    if not 0 <= timestamp < 1 << 63:
        raise NoteError("a cosignature's time is a POSIX time below 2**63")
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    blob: bytes
    """What follows the key id: the signature, after a timestamp for a cosignature."""
    line: str


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]

    @classmethod
    def parse(cls, note: str | bytes) -> Note:
        if isinstance(note, bytes):
            if len(note) > MAX_NOTE_BYTES:
                raise NoteError(f"a note is at most {MAX_NOTE_BYTES} bytes")
            try:
                note = note.decode()
            except UnicodeDecodeError:
                raise NoteError("a note is UTF-8") from None
        if len(note.encode()) > MAX_NOTE_BYTES:
            raise NoteError(f"a note is at most {MAX_NOTE_BYTES} bytes")
        if _CONTROL.search(note):
            raise NoteError("a note holds no control characters but newlines")
        split = note.rfind("\n\n")
        if split < 0 or not note.endswith("\n"):
            raise NoteError("a note is text, a blank line and signature lines")
        text, lines = note[: split + 1], note[split + 2 :].splitlines(keepends=True)
        if not lines or len(lines) > MAX_SIGNATURES:
            raise NoteError(f"a note has 1 to {MAX_SIGNATURES} signatures")
        return cls(text, tuple(_signature(line) for line in lines))

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)

    def signed_by(self, verifier: Verifier) -> Signature | None:
        """The signature of `verifier` (by name and key id), verified; None when it did
        not sign. A signature of a known key that does not verify is a NoteError."""
        for signature in self.signatures:
            if signature.name != verifier.name or signature.key_id != verifier.key_id:
                continue
            if verifier.kind == COSIGNATURE:
                ok = _cosignature_verifies(verifier, self.text, signature.blob)
            else:
                ok = verifier.verify(self.text.encode(), signature.blob)
            if not ok:
                raise NoteError(f"the signature of {verifier.name} does not verify")
            return signature
        return None


def _signature(line: str) -> Signature:
    if not line.startswith(_DASH) or not line.endswith("\n"):
        raise NoteError("a signature line is '— <name> <base64>'")
    name, _, encoded = line[len(_DASH) : -1].partition(" ")
    if not _NAME.fullmatch(name):
        raise NoteError("a key name is not empty and holds no spaces or '+'")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise NoteError("a signature is base64") from None
    if len(blob) < 5:
        raise NoteError("a signature is a key id and the signature")
    return Signature(name, blob[:4], blob[4:], line)


def _cosignature_verifies(verifier: Verifier, body: str, blob: bytes) -> bool:
    if len(blob) != 8 + 64:
        return False
    (timestamp,) = struct.unpack(">Q", blob[:8])
    if timestamp >= 1 << 63:
        return False
    return verifier.verify(cosigned_message(body, timestamp), blob[8:])


def cosignature_time(signature: Signature) -> int:
    return int(struct.unpack(">Q", signature.blob[:8])[0])


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        if not body.endswith("\n"):
            raise NoteError("a checkpoint ends in a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise NoteError("a checkpoint is an origin, a size and a root hash")
        origin, size, root, *extensions = lines
        if not re.fullmatch(r"0|[1-9][0-9]{0,19}", size) or int(size) >= 1 << 64:
            raise NoteError("a checkpoint's size is a decimal number without leading zeros")
        try:
            raw = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteError("a checkpoint's root hash is base64") from None
        if len(raw) != HASH_SIZE:
            raise NoteError(f"a checkpoint's root hash is {HASH_SIZE} bytes")
        return cls(origin, int(size), raw, tuple(extensions))
