"""Sealed answers: round trips, tamper detection, key ids, and the documented canonical form."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.domain.signing import (
    KeyPair,
    canonical_answer,
    key_id_for,
    new_key_pair,
    seal_time,
    sign_answer,
    verify_answer,
)

CODE = "PAKN-2026-000123"
AGENCY = "BTC"
BODY = unicodedata.normalize(
    "NFC", "Bộ Tài chính trả lời như sau:\nĐề nghị của ông/bà đã được tiếp thu.\n"
)
AT = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=7)))


@pytest.fixture(scope="module")
def keys() -> KeyPair:
    return new_key_pair(AGENCY, date(2026, 1, 5))


@pytest.fixture(scope="module")
def signature(keys: KeyPair) -> str:
    return sign_answer(keys.private_key, CODE, AGENCY, BODY, AT)


def test_round_trip(keys: KeyPair, signature: str) -> None:
    assert len(base64.b64decode(signature, validate=True)) == 64
    assert verify_answer(keys.public_key, signature, CODE, AGENCY, BODY, AT)


def test_signing_is_deterministic(keys: KeyPair, signature: str) -> None:
    assert sign_answer(keys.private_key, CODE, AGENCY, BODY, AT) == signature


def test_same_instant_in_any_zone_verifies(keys: KeyPair, signature: str) -> None:
    assert verify_answer(keys.public_key, signature, CODE, AGENCY, BODY, AT.astimezone(UTC))


@pytest.mark.parametrize(
    ("code", "agency", "body", "at"),
    [
        ("PAKN-2026-000124", AGENCY, BODY, AT),
        (CODE, "BYT", BODY, AT),
        (CODE, AGENCY, BODY + " ", AT),
        (CODE, AGENCY, BODY.replace("tiếp thu", "tiếp nhận"), AT),
        (CODE, AGENCY, BODY, AT + timedelta(seconds=1)),
    ],
    ids=["tracking-code", "agency", "body-appended", "body-edited", "time"],
)
def test_tampering_with_any_part_fails(
    keys: KeyPair, signature: str, code: str, agency: str, body: str, at: datetime
) -> None:
    assert not verify_answer(keys.public_key, signature, code, agency, body, at)


def test_tampered_signature_fails(keys: KeyPair, signature: str) -> None:
    raw = bytearray(base64.b64decode(signature))
    raw[10] ^= 0x01
    forged = base64.b64encode(bytes(raw)).decode()
    assert not verify_answer(keys.public_key, forged, CODE, AGENCY, BODY, AT)


def test_decomposed_body_does_not_verify(keys: KeyPair, signature: str) -> None:
    nfd = unicodedata.normalize("NFD", BODY)
    assert nfd != BODY
    assert not verify_answer(keys.public_key, signature, CODE, AGENCY, nfd, AT)


@pytest.mark.parametrize(
    "bad",
    ["", "not base64!", "AAAA", "é", base64.b64encode(b"x" * 63).decode()],
)
def test_malformed_signature_is_invalid_not_an_error(keys: KeyPair, bad: str) -> None:
    assert not verify_answer(keys.public_key, bad, CODE, AGENCY, BODY, AT)


@pytest.mark.parametrize("bad", ["", "!!", base64.b64encode(b"k" * 31).decode()])
def test_malformed_public_key_is_invalid_not_an_error(signature: str, bad: str) -> None:
    assert not verify_answer(bad, signature, CODE, AGENCY, BODY, AT)


def test_another_agencys_key_fails(signature: str) -> None:
    other = new_key_pair("BYT", date(2026, 1, 5))
    assert not verify_answer(other.public_key, signature, CODE, AGENCY, BODY, AT)
    own = sign_answer(other.private_key, CODE, AGENCY, BODY, AT)
    assert verify_answer(other.public_key, own, CODE, AGENCY, BODY, AT)


def test_key_ids_are_unique_and_stable() -> None:
    created = date(2026, 11, 25)
    pairs = [new_key_pair("BTC", created) for _ in range(50)]
    assert len({p.key_id for p in pairs}) == 50
    assert len({p.public_key for p in pairs}) == 50
    for pair in pairs:
        raw = base64.b64decode(pair.public_key, validate=True)
        assert len(raw) == 32 and len(pair.private_key) == 32
        expected = f"BTC-2026-11-25-{hashlib.sha256(raw).hexdigest()[:6]}"
        assert pair.key_id == expected == key_id_for("BTC", created, raw)


def test_private_key_stays_out_of_repr(keys: KeyPair) -> None:
    assert keys.private_key.hex() not in repr(keys)
    assert "private_key" not in repr(keys)


def test_bad_agency_code_is_refused() -> None:
    with pytest.raises(ValueError):
        new_key_pair("", date(2026, 1, 1))
    with pytest.raises(ValueError):
        new_key_pair("B TC", date(2026, 1, 1))


def test_canonical_form_is_the_documented_bytes() -> None:
    moment = datetime(2026, 3, 2, 2, 30, 0, 999_999, tzinfo=UTC)
    assert (
        canonical_answer(CODE, AGENCY, "dòng 1\ndòng 2", moment)
        == ("pakn-answer-v1\nPAKN-2026-000123\nBTC\n2026-03-02T02:30:00Z\ndòng 1\ndòng 2").encode()
    )


def test_codes_with_newlines_are_refused(keys: KeyPair, signature: str) -> None:
    with pytest.raises(ValueError):
        canonical_answer("PAKN\nX", AGENCY, BODY, AT)
    # A forged split of the same bytes across the fields is impossible to verify.
    assert not verify_answer(keys.public_key, signature, CODE + "\nBTC", "x", BODY, AT)


def test_naive_times_are_refused(keys: KeyPair) -> None:
    naive = datetime(2026, 3, 2, 9, 30)
    with pytest.raises(ValueError):
        sign_answer(keys.private_key, CODE, AGENCY, BODY, naive)
    with pytest.raises(ValueError):
        seal_time(naive)


def test_non_nfc_body_is_refused(keys: KeyPair) -> None:
    with pytest.raises(ValueError):
        sign_answer(keys.private_key, CODE, AGENCY, unicodedata.normalize("NFD", BODY), AT)


def test_seal_time_truncates_and_keeps_the_zone() -> None:
    moment = datetime(2026, 3, 2, 9, 30, 5, 987_654, tzinfo=AT.tzinfo)
    sealed = seal_time(moment)
    assert sealed == datetime(2026, 3, 2, 9, 30, 5, tzinfo=AT.tzinfo)
    assert sealed.utcoffset() == timedelta(hours=7)


def test_microseconds_do_not_change_the_signature(keys: KeyPair) -> None:
    moment = datetime(2026, 3, 2, 2, 30, 0, 123_456, tzinfo=UTC)
    signed = sign_answer(keys.private_key, CODE, AGENCY, BODY, moment)
    assert verify_answer(keys.public_key, signed, CODE, AGENCY, BODY, seal_time(moment))


def test_verifies_outside_pakn_with_only_cryptography(keys: KeyPair, signature: str) -> None:
    """What a reader outside pakn would write, from the module docstring alone."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    def outside_verify(
        public_key_b64: str, signature_b64: str, code: str, agency: str, body: str, at: datetime
    ) -> bool:
        message = "\n".join(
            [
                "pakn-answer-v1",
                code,
                agency,
                at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                body,
            ]
        ).encode("utf-8")
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        try:
            key.verify(base64.b64decode(signature_b64), message)
        except InvalidSignature:
            return False
        return True

    assert outside_verify(keys.public_key, signature, CODE, AGENCY, BODY, AT)
    assert not outside_verify(keys.public_key, signature, CODE, AGENCY, BODY + ".", AT)
