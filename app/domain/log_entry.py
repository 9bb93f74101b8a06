"""A transparency log entry: the canonical bytes of one petition event, one leaf of the
log's Merkle tree (#16). Free text enters only as a salted commitment, so a text can be
withheld (a private petition, an internal note) or erased while every leaf and proof stays
valid, and whoever is shown the text and its salt can check it against the leaf.

Version 1, ASCII, one `<field> <value>` line each, in this order, every line ending in a
newline:

    pakn-log-entry/v1
    event <event id>
    petition <tracking code>
    action <action>
    from <status, or ->
    to <status>
    at <UTC, ISO 8601, six fractional digits, Z>
    actor <actor role>
    agency <agency code, or ->
    public <1 or 0>
    note <commitment, or ->
    title <commitment>                 SUBMIT only
    body <commitment>                  SUBMIT only
    seal <version> <key id> <signature> <body SHA-256>   ANSWER only (a sealed answer)

A commitment is the hex SHA-256 of `pakn-text/v1\\n`, the 32-byte salt and the text's
UTF-8 bytes (NFC, as stored).

An internal event (`public 0`: what the public API does not show, such as a transfer
request) is blinded: its leaf is only

    pakn-log-entry/v1
    event <event id>
    public 0
    blinded <hex SHA-256 of `pakn-entry/v1\\n`, a 32-byte salt and the entry above>

so the public log says that an internal event took that place, and nothing of it; whoever
may see the event (its agency, the Government Office) is given the salt and checks the
entry against the leaf. An entry is at most 4 KiB: far under the 64 KiB an entry
bundle's length prefix allows.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

VERSION_LINE = "pakn-log-entry/v1"
TEXT_PREFIX = b"pakn-text/v1\n"
ENTRY_PREFIX = b"pakn-entry/v1\n"
SALT_BYTES = 32
MAX_ENTRY_BYTES = 4096
_FIELD = re.compile(r"[\x21-\x7e]{1,200}")


def log_index(event_id: int) -> int:
    """The event's index in the transparency log: the log has one leaf per event in chain
    order from index 0, and event ids are 1, 2, 3, ... without gaps (`db.event_log.append`
    gives each the last id + 1 under the chain lock), so the leaf of event N is N - 1."""
    return event_id - 1


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def commitment(salt: bytes, text: str) -> str:
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a salt is {SALT_BYTES} bytes")
    return hashlib.sha256(TEXT_PREFIX + salt + text.encode()).hexdigest()


@dataclass(frozen=True)
class Seal:
    version: int
    key_id: str
    signature: str
    body_sha256: str


@dataclass(frozen=True)
class Entry:
    event_id: int
    tracking_code: str
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    actor_role: str
    agency_code: str | None
    is_public: bool
    note: str | None = None
    """The note's commitment."""
    title: str | None = None
    body: str | None = None
    seal: Seal | None = None

    def encode(self) -> bytes:
        lines = [
            VERSION_LINE,
            f"event {self.event_id}",
            f"petition {_field(self.tracking_code)}",
            f"action {_field(self.action)}",
            f"from {_field(self.from_status) if self.from_status else '-'}",
            f"to {_field(self.to_status)}",
            f"at {_instant(self.at)}",
            f"actor {_field(self.actor_role)}",
            f"agency {_field(self.agency_code) if self.agency_code else '-'}",
            f"public {1 if self.is_public else 0}",
            f"note {_field(self.note) if self.note else '-'}",
        ]
        if self.title is not None or self.body is not None:
            lines += [f"title {_field(self.title or '')}", f"body {_field(self.body or '')}"]
        if self.seal is not None:
            seal = self.seal
            lines.append(
                f"seal {seal.version} {_field(seal.key_id)} {_field(seal.signature)} "
                f"{_field(seal.body_sha256)}"
            )
        encoded = ("\n".join(lines) + "\n").encode()
        if len(encoded) > MAX_ENTRY_BYTES:
            raise ValueError(f"an entry is at most {MAX_ENTRY_BYTES} bytes")
        return encoded

    @classmethod
    def decode(cls, entry: bytes) -> Entry:
        """The entry's fields; ValueError unless `entry` is exactly what `encode` writes."""
        try:
            lines = entry.decode("ascii").split("\n")
        except UnicodeDecodeError:
            raise ValueError("an entry is ASCII") from None
        if len(lines) < 12 or lines[0] != VERSION_LINE or lines[-1] != "":
            raise ValueError("not a pakn-log-entry/v1")
        try:
            decoded = cls._from_lines(lines[1:-1])
        except (KeyError, TypeError, ValueError):
            raise ValueError("not a pakn-log-entry/v1") from None
        if decoded.encode() != entry:
            raise ValueError("not a canonical pakn-log-entry/v1")
        return decoded

    @classmethod
    def _from_lines(cls, lines: list[str]) -> Entry:
        values = dict(_split(line) for line in lines)
        optional = {k: v for k, v in values.items() if k in ("title", "body", "seal")}
        seal = None
        if "seal" in optional:
            version, key_id, signature, digest = optional["seal"].split(" ")
            seal = Seal(int(version), key_id, signature, digest)
        return cls(
            event_id=int(values["event"]),
            tracking_code=values["petition"],
            action=values["action"],
            from_status=_dash(values["from"]),
            to_status=values["to"],
            at=datetime.strptime(values["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
            actor_role=values["actor"],
            agency_code=_dash(values["agency"]),
            is_public=values["public"] == "1",
            note=_dash(values["note"]),
            title=optional.get("title"),
            body=optional.get("body"),
            seal=seal,
        )


@dataclass(frozen=True)
class Blinded:
    """The leaf of an internal event: its id and a commitment to its whole entry."""

    event_id: int
    commitment: str

    def encode(self) -> bytes:
        lines = [VERSION_LINE, f"event {self.event_id}", "public 0", f"blinded {self.commitment}"]
        return ("\n".join(lines) + "\n").encode()

    @classmethod
    def of(cls, entry: Entry, salt: bytes) -> Blinded:
        if len(salt) != SALT_BYTES:
            raise ValueError(f"a salt is {SALT_BYTES} bytes")
        digest = hashlib.sha256(ENTRY_PREFIX + salt + entry.encode()).hexdigest()
        return cls(entry.event_id, digest)


def leaf_of(entry: Entry, blinding_salt: bytes | None) -> bytes:
    """The leaf's bytes: the entry, or for an internal event its blinded form."""
    if entry.is_public:
        return entry.encode()
    if blinding_salt is None:
        raise ValueError("an internal event's leaf is blinded with a salt")
    return Blinded.of(entry, blinding_salt).encode()


def parse_leaf(leaf: bytes) -> Entry | Blinded:
    """A leaf's entry, or the blinded leaf of an internal event; ValueError unless it is
    exactly what `leaf_of` writes."""
    lines = leaf.split(b"\n")
    if len(lines) == 5 and lines[2] == b"public 0" and lines[3].startswith(b"blinded "):
        try:
            event_id = int(lines[1].removeprefix(b"event ").decode("ascii"))
            blinded = Blinded(event_id, lines[3].removeprefix(b"blinded ").decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            raise ValueError("not a pakn-log-entry/v1") from None
        if blinded.encode() != leaf or not re.fullmatch(r"[0-9a-f]{64}", blinded.commitment):
            raise ValueError("not a canonical pakn-log-entry/v1")
        return blinded
    return Entry.decode(leaf)


def _field(value: str) -> str:
    if not _FIELD.fullmatch(value):
        raise ValueError(f"an entry's field is printable ASCII without spaces: {value!r}")
    return value


def _instant(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("an event's time has a time zone")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _split(line: str) -> tuple[str, str]:
    key, space, value = line.partition(" ")
    if not space:
        raise ValueError(f"an entry's line is '<field> <value>': {line!r}")
    return key, value


def _dash(value: str) -> str | None:
    return None if value == "-" else value
