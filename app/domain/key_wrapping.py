"""Agencies' sealing keys encrypted at rest: what a database dump holds is not a key.

Why: a sealing key signs answers in an agency's name; anyone holding the raw 32 bytes can
forge sealed answers. So `agency_keys.private_key` holds the key encrypted (wrapped) with a
key encryption key (KEK) that lives outside the database: derived from pakn's secret key,
or given on its own (`PAKN_KEY_ENCRYPTION_KEY`). A dump without the secret key cannot sign.

The stored bytes (version 1)::

    0x01 || nonce (12 random bytes) || AES-256-GCM(KEK, nonce, private key, aad=key_id)

49 + 12 = 61 bytes for a 32-byte Ed25519 key. The key's `key_id` (UTF-8) is the associated
data: a blob copied onto another key's row does not decrypt there. A raw key, as
migrations 0002 to 0007 stored it, is exactly 32 bytes; a wrapped one never is, which
is how migration 0008 tells them apart.

The derived KEK is HKDF-SHA256 of the secret key's UTF-8 bytes with the fixed info
`pakn sealing keys v1` and no salt: the same secret gives the same KEK on every host.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEK_BYTES = 32
NONCE_BYTES = 12
RAW_KEY_BYTES = 32
WRAP_VERSION = b"\x01"
DERIVATION_INFO = b"pakn sealing keys v1"


class KeyUnwrapError(ValueError):
    """A stored sealing key does not decrypt under this key encryption key: the secret key
    (or PAKN_KEY_ENCRYPTION_KEY) is not the one it was encrypted with, or the stored bytes
    were altered. `pakn keys rekey` re-encrypts keys from a previous secret key."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    """32 bytes that encrypt the sealing keys; kept out of `repr`, so never in a log."""

    raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) != KEK_BYTES:
            raise ValueError(f"a key encryption key is {KEK_BYTES} bytes")

    @classmethod
    def derived_from(cls, secret_key: str) -> KeyEncryptionKey:
        """The KEK of a secret key (HKDF-SHA256, info `DERIVATION_INFO`)."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEK_BYTES, salt=None, info=DERIVATION_INFO)
        return cls(hkdf.derive(secret_key.encode()))

    @classmethod
    def from_base64(cls, text: str) -> KeyEncryptionKey:
        """A KEK given as standard base64 of exactly 32 bytes; ValueError otherwise (the
        message never repeats the text)."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("is not base64") from None
        if len(raw) != KEK_BYTES:
            raise ValueError(f"decodes to {len(raw)} bytes, not {KEK_BYTES}")
        return cls(raw)

    def wrap(self, key_id: str, private_key: bytes) -> bytes:
        """The stored form of `private_key`, bound to `key_id`."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.raw).encrypt(nonce, private_key, key_id.encode())
        return WRAP_VERSION + nonce + sealed

    def unwrap(self, key_id: str, stored: bytes) -> bytes:
        """The private key of `stored`; KeyUnwrapError when it does not decrypt here."""
        stored = bytes(stored)
        if not is_wrapped(stored):
            raise KeyUnwrapError(f"the sealing key {key_id} is not stored encrypted")
        nonce = stored[1 : 1 + NONCE_BYTES]
        try:
            return AESGCM(self.raw).decrypt(nonce, stored[1 + NONCE_BYTES :], key_id.encode())
        except InvalidTag:
            raise KeyUnwrapError(
                f"the sealing key {key_id} does not decrypt under this key encryption key"
            ) from None

    def opens(self, key_id: str, stored: bytes) -> bool:
        try:
            self.unwrap(key_id, stored)
        except KeyUnwrapError:
            return False
        return True


def is_wrapped(stored: bytes) -> bool:
    """Whether `stored` is in the encrypted form (else, at 32 bytes, a raw key)."""
    return len(stored) > RAW_KEY_BYTES and stored[:1] == WRAP_VERSION
