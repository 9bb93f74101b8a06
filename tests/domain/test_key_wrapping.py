"""Sealing keys wrapped with AES-256-GCM: round trip, bound to their key id, refused under
another KEK, and the KEK derived from the secret key or given in base64 (#14, point 2)."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from app.domain.key_wrapping import (
    KeyEncryptionKey,
    KeyUnwrapError,
    is_wrapped,
)
from app.domain.signing import new_key_pair

SECRET = "test-key-of-thirty-two-bytes-0123456789"


@pytest.fixture(scope="module")
def kek() -> KeyEncryptionKey:
    return KeyEncryptionKey.derived_from(SECRET)


def test_a_wrapped_key_unwraps_to_itself_and_is_not_the_raw_key(kek: KeyEncryptionKey) -> None:
    pair = new_key_pair("BTC", date(2026, 12, 1))
    stored = kek.wrap(pair.key_id, pair.private_key)
    assert len(stored) == 1 + 12 + 32 + 16 and is_wrapped(stored)
    assert pair.private_key not in stored
    assert kek.unwrap(pair.key_id, stored) == pair.private_key
    assert kek.wrap(pair.key_id, pair.private_key) != stored  # a fresh nonce each time


def test_a_raw_key_is_not_wrapped(kek: KeyEncryptionKey) -> None:
    raw = new_key_pair("BTC", date(2026, 12, 1)).private_key
    assert not is_wrapped(raw)
    with pytest.raises(KeyUnwrapError, match="not stored encrypted"):
        kek.unwrap("BTC-2026-12-01-abcdef", raw)


def test_a_blob_moved_to_another_key_row_does_not_decrypt(kek: KeyEncryptionKey) -> None:
    pair = new_key_pair("BTC", date(2026, 12, 1))
    stored = kek.wrap(pair.key_id, pair.private_key)
    with pytest.raises(KeyUnwrapError, match="does not decrypt"):
        kek.unwrap("BYT-2026-12-01-abcdef", stored)


def test_the_wrong_kek_raises_a_clear_error_not_invalid_tag(kek: KeyEncryptionKey) -> None:
    pair = new_key_pair("BTC", date(2026, 12, 1))
    stored = kek.wrap(pair.key_id, pair.private_key)
    other = KeyEncryptionKey.derived_from(SECRET + "x")
    with pytest.raises(KeyUnwrapError, match=pair.key_id) as raised:
        other.unwrap(pair.key_id, stored)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert not other.opens(pair.key_id, stored) and kek.opens(pair.key_id, stored)
    altered = stored[:-1] + bytes([stored[-1] ^ 1])
    assert not kek.opens(pair.key_id, altered)


def test_the_derived_kek_is_fixed_by_the_secret_and_never_in_repr(kek: KeyEncryptionKey) -> None:
    assert KeyEncryptionKey.derived_from(SECRET) == kek
    assert KeyEncryptionKey.derived_from(SECRET + "x") != kek
    assert len(kek.raw) == 32 and kek.raw != SECRET.encode()[:32]
    assert kek.raw.hex() not in repr(kek) and str(kek.raw) not in repr(kek)


def test_a_given_kek_is_base64_of_exactly_32_bytes() -> None:
    raw = bytes(range(32))
    assert KeyEncryptionKey.from_base64(base64.b64encode(raw).decode()).raw == raw
    for text, problem in [
        ("not base64!", "not base64"),
        (base64.b64encode(bytes(31)).decode(), "31 bytes"),
        (base64.b64encode(bytes(33)).decode(), "33 bytes"),
        ("", "0 bytes"),
    ]:
        with pytest.raises(ValueError, match=problem):
            KeyEncryptionKey.from_base64(text)
    with pytest.raises(ValueError):
        KeyEncryptionKey(bytes(16))
