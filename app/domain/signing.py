"""Sealed answers: every official answer is signed with its agency's Ed25519 key.

Why: the design calls for digital signatures on answers, so that anyone holding a published
answer can check, without trusting pakn's database or its operators, that the text, the
petition it answers, the answering agency and the moment of answering are exactly what the
agency sealed. Ed25519 is chosen because signatures are small (64 bytes), deterministic,
fast to make in bulk, and verifiable in every mainstream language.

Version 2 (every answer pakn seals now) signs the SHA-256 of the body instead of the body,
so that a private petition's answer can be withheld from the public (``Answer.body`` is
null for them) while its seal stays verifiable from what is public: the hash, the
signature, the key. Version 1 answers, sealed before, keep verifying as they were sealed;
``Answer.sealVersion`` says which form an answer's signature covers.

Canonical form, version 2 -- the exact bytes that are signed::

    pakn-answer-v2\\n<tracking code>\\n<agency code>\\n<answered_at>\\n<body sha256>\\n<attachments>

encoded as UTF-8 (all of it ASCII), where

- ``tracking code`` is the petition's public code, e.g. ``PAKN-2026-000123``;
- ``agency code`` is the answering agency's code, e.g. ``BTC`` or ``UBND-01``;
- ``answered_at`` is the answer's time in UTC, ISO 8601, whole seconds, with a ``Z`` suffix,
  e.g. ``2026-03-02T02:30:00Z``. Any fraction of a second is dropped (truncated), so store
  answers with :func:`seal_time` applied and the published time reproduces the signed one;
- ``body sha256`` is the lower-case hex SHA-256 of the body's UTF-8 bytes in Unicode NFC
  (pakn stores the body in NFC; ``Answer.bodySha256`` publishes this hash);
- ``attachments`` is the lower-case hex SHA-256 of each attachment, sorted and joined by
  commas, and empty when there is none (so a message without attachments ends in ``\\n``).

Canonical form, version 1 (answers sealed before version 2)::

    pakn-answer-v1\\n<tracking code>\\n<agency code>\\n<answered_at>\\n<body>

the first four lines as above, then the body itself, exactly as stored and published (NFC),
as the rest of the message: it may contain newlines, which is why it comes last. A version 1
answer can only be verified by a reader who holds its body. In both versions the two codes
may not contain a newline, so the message parses unambiguously.

The signature is published as standard, padded base64 of the 64 signature bytes; the agency's
public key as standard, padded base64 of its 32 raw bytes. A reader outside pakn verifies an
answer in a few lines (``answer`` holding the GraphQL fields of ``Answer``)::

    import base64, hashlib, unicodedata
    from datetime import datetime, timezone
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    when = datetime.fromisoformat(answer["answeredAt"]).astimezone(timezone.utc)
    head = [tracking_code, agency_code, when.strftime("%Y-%m-%dT%H:%M:%SZ")]
    body = answer["body"]  # None: the petition is private, its text withheld
    if answer["sealVersion"] == 1:
        message = "\\n".join(["pakn-answer-v1", *head, body])
    else:
        if body is not None:
            nfc = unicodedata.normalize("NFC", body).encode("utf-8")
            assert hashlib.sha256(nfc).hexdigest() == answer["bodySha256"]
        message = "\\n".join(["pakn-answer-v2", *head, answer["bodySha256"], ""])
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    key.verify(base64.b64decode(answer["signature"]), message.encode("utf-8"))  # raises if forged

(the ``""`` is the empty attachment list). The ``pakn-answer-v<N>`` prefix separates these
signatures from anything else a key might ever sign, and tells the versions apart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

CANONICAL_PREFIX = "pakn-answer-v1"
"""First line of a version 1 message (answers sealed before version 2)."""
CANONICAL_PREFIX_V2 = "pakn-answer-v2"
"""First line of a version 2 message."""
SEAL_VERSION = 2
"""The version every new answer is sealed with."""
SEAL_VERSIONS = frozenset({1, 2})

_PUBLIC_KEY_BYTES = 32
_PRIVATE_KEY_BYTES = 32
_SIGNATURE_BYTES = 64
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class KeyPair:
    """An agency's signing key.

    ``key_id`` is ``<agency code>-<YYYY-MM-DD>-<6 hex>``, the hex being the start of the
    SHA-256 of the raw public key: readable (whose key, since when), stable (a function of the
    key, never of a counter), and unique in practice (two keys would have to share agency, day
    and 24 bits of hash). The private key is kept out of ``repr`` so it never lands in a log.
    """

    key_id: str
    public_key: str
    private_key: bytes = field(repr=False)


@dataclass(frozen=True)
class Seal:
    """What sealing an answer stores beside it: the version of the canonical form the
    signature covers, the base64 signature, and the hex SHA-256 of the body."""

    version: int
    signature: str
    body_sha256: str


def key_id_for(agency_code: str, created: date, public_key: bytes) -> str:
    """The key id of a raw public key, so anyone can recompute and check it."""
    digest = hashlib.sha256(public_key).hexdigest()[:6]
    return f"{agency_code}-{created.isoformat()}-{digest}"


def new_key_pair(agency_code: str, created: date) -> KeyPair:
    """A fresh Ed25519 key pair for an agency (from the OS's CSPRNG, via OpenSSL)."""
    if not agency_code or any(ch.isspace() for ch in agency_code):
        raise ValueError("agency code must be non-empty and contain no whitespace")
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes_raw()
    return KeyPair(
        key_id=key_id_for(agency_code, created, public_raw),
        public_key=base64.b64encode(public_raw).decode("ascii"),
        private_key=private.private_bytes_raw(),
    )


def seal_time(moment: datetime) -> datetime:
    """``moment`` truncated to whole seconds, still timezone-aware.

    Store answers' ``answered_at`` through this: the canonical form carries whole seconds only,
    so a stored (and published) time with microseconds would not be what was signed.
    """
    _require_aware(moment)
    return moment.replace(microsecond=0)


def body_sha256(body: str) -> str:
    """The lower-case hex SHA-256 of the body's UTF-8 bytes in NFC (``Answer.bodySha256``)."""
    return hashlib.sha256(unicodedata.normalize("NFC", body).encode("utf-8")).hexdigest()


def is_sha256_hex(text: object) -> bool:
    """Whether ``text`` is a lower-case hex SHA-256, as the canonical form writes one."""
    return isinstance(text, str) and len(text) == 64 and _HEX.issuperset(text)


def canonical_answer(
    tracking_code: str, agency_code: str, body: str, answered_at: datetime
) -> bytes:
    """The exact bytes signed for a version 1 answer (see the module docstring)."""
    _require_codes(tracking_code, agency_code)
    return "\n".join(
        (CANONICAL_PREFIX, tracking_code, agency_code, _utc_seconds(answered_at), body)
    ).encode("utf-8")


def canonical_answer_v2(
    tracking_code: str,
    agency_code: str,
    answered_at: datetime,
    digest: str,
    attachments: Sequence[str] = (),
) -> bytes:
    """The exact bytes signed for a version 2 answer whose body hashes to ``digest`` (see
    the module docstring); ``attachments`` are the attachments' hex SHA-256s, any order."""
    _require_codes(tracking_code, agency_code)
    if not is_sha256_hex(digest) or not all(is_sha256_hex(a) for a in attachments):
        raise ValueError("hashes are lower-case hex SHA-256")
    return "\n".join(
        (
            CANONICAL_PREFIX_V2,
            tracking_code,
            agency_code,
            _utc_seconds(answered_at),
            digest,
            ",".join(sorted(attachments)),
        )
    ).encode("utf-8")


def sign_answer(
    private_key: bytes, tracking_code: str, agency_code: str, body: str, answered_at: datetime
) -> str:
    """The base64 Ed25519 signature of an answer in the version 1 form.

    Kept so that answers sealed before version 2 can be reproduced (and tested); new answers
    are sealed with :func:`seal_answer`. The body must already be NFC (as pakn stores it):
    signing a non-NFC body would seal bytes that differ from any normalised copy a reader
    holds, so it is refused rather than silently normalised.
    """
    _require_nfc(body)
    message = canonical_answer(tracking_code, agency_code, body, answered_at)
    return _sign(private_key, message)


def seal_answer(
    private_key: bytes,
    tracking_code: str,
    agency_code: str,
    body: str,
    answered_at: datetime,
    attachments: Sequence[str] = (),
) -> Seal:
    """Seal an answer in the current form (version 2). The body must be NFC, as for
    :func:`sign_answer`."""
    _require_nfc(body)
    digest = body_sha256(body)
    message = canonical_answer_v2(tracking_code, agency_code, answered_at, digest, attachments)
    return Seal(SEAL_VERSION, _sign(private_key, message), digest)


def verify_answer(
    public_key_b64: str,
    signature_b64: str,
    tracking_code: str,
    agency_code: str,
    body: str | None,
    answered_at: datetime,
    *,
    version: int = 1,
    digest: str | None = None,
    attachments: Sequence[str] = (),
) -> bool:
    """Whether ``signature_b64`` seals this answer under ``public_key_b64``.

    Version 1 needs the body. Version 2 needs the body or its ``digest`` (its bodySha256,
    all the public holds of a withheld answer); given both, they must agree. Malformed keys,
    signatures or hashes (bad base64 or hex, wrong length, an unknown version) are simply
    not valid: they come from outside and must never raise. A naive ``answered_at`` is a
    caller bug and raises.
    """
    _require_aware(answered_at)
    if "\n" in tracking_code or "\n" in agency_code:
        return False
    message = _message(version, tracking_code, agency_code, body, answered_at, digest, attachments)
    if message is None:
        return False
    signature = _b64decode(signature_b64, _SIGNATURE_BYTES)
    if signature is None:
        return False
    public_key = _public_key(public_key_b64)
    if public_key is None:
        return False
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _message(
    version: int,
    tracking_code: str,
    agency_code: str,
    body: str | None,
    answered_at: datetime,
    digest: str | None,
    attachments: Sequence[str],
) -> bytes | None:
    """The bytes a seal of ``version`` covers, or None when what is given cannot make them."""
    if version == 1:
        if body is None:
            return None
        return canonical_answer(tracking_code, agency_code, body, answered_at)
    if version != 2:
        return None
    if body is not None:
        if digest is not None and digest != body_sha256(body):
            return None
        digest = body_sha256(body)
    if digest is None or not is_sha256_hex(digest):
        return None
    if not all(is_sha256_hex(a) for a in attachments):
        return None
    return canonical_answer_v2(tracking_code, agency_code, answered_at, digest, attachments)


def _sign(private_key: bytes, message: bytes) -> str:
    return base64.b64encode(_private_key(private_key).sign(message)).decode("ascii")


def _require_nfc(body: str) -> None:
    if not unicodedata.is_normalized("NFC", body):
        raise ValueError("answer body must be NFC-normalised before it is stored and signed")


def _require_codes(tracking_code: str, agency_code: str) -> None:
    if "\n" in tracking_code or "\n" in agency_code:
        raise ValueError("tracking code and agency code may not contain a newline")


@lru_cache(maxsize=256)
def _private_key(raw: bytes) -> Ed25519PrivateKey:
    """Parsed private keys, cached: a bulk load signs ~600,000 answers with a few dozen keys,
    and rebuilding the OpenSSL key object each time would cost as much as the signing."""
    if len(raw) != _PRIVATE_KEY_BYTES:
        raise ValueError("an Ed25519 private key is 32 raw bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


@lru_cache(maxsize=256)
def _public_key(public_key_b64: str) -> Ed25519PublicKey | None:
    """Parsed public keys, cached for the same reason; None when the text is not a key."""
    raw = _b64decode(public_key_b64, _PUBLIC_KEY_BYTES)
    if raw is None:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None


def _b64decode(text: str, length: int) -> bytes | None:
    """Strict standard base64 of exactly ``length`` bytes, else None."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None
    return raw if len(raw) == length else None


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("answered_at must be timezone-aware")


def _utc_seconds(moment: datetime) -> str:
    """``2026-03-02T02:30:00Z``: UTC, whole seconds (fraction truncated), Z suffix."""
    _require_aware(moment)
    u = moment.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"
