"""Sealed answers, version 2: the exact bytes, the body's hash, a withheld body, and
version 1 answers verifying beside them (#14, point 3)."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.domain.signing import (
    SEAL_VERSION,
    KeyPair,
    Seal,
    body_sha256,
    canonical_answer_v2,
    new_key_pair,
    seal_answer,
    sign_answer,
    verify_answer,
)

CODE = "PAKN-2026-000123"
AGENCY = "BTC"
BODY = unicodedata.normalize(
    "NFC", "Sau khi nghiên cứu phản ánh của ông/bà về cấp giấy phép xây dựng,\nBộ trả lời."
)
AT = datetime(2026, 3, 2, 9, 30, 15, 999, tzinfo=timezone(timedelta(hours=7)))
DIGEST = hashlib.sha256(BODY.encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def keys() -> KeyPair:
    return new_key_pair(AGENCY, date(2026, 1, 5))


@pytest.fixture(scope="module")
def seal(keys: KeyPair) -> Seal:
    return seal_answer(keys.private_key, CODE, AGENCY, BODY, AT)


def test_the_signed_bytes_are_the_documented_ones(keys: KeyPair, seal: Seal) -> None:
    assert seal.version == SEAL_VERSION == 2
    assert seal.body_sha256 == DIGEST == body_sha256(BODY)
    expected = f"pakn-answer-v2\n{CODE}\n{AGENCY}\n2026-03-02T02:30:15Z\n{DIGEST}\n".encode()
    assert canonical_answer_v2(CODE, AGENCY, AT, DIGEST) == expected
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(keys.public_key))
    public.verify(base64.b64decode(seal.signature), expected)


def test_attachments_are_sorted_and_comma_separated() -> None:
    first, second = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()
    message = canonical_answer_v2(CODE, AGENCY, AT, DIGEST, [second, first])
    assert message.endswith(f"\n{DIGEST}\n{min(first, second)},{max(first, second)}".encode())
    with pytest.raises(ValueError):
        canonical_answer_v2(CODE, AGENCY, AT, DIGEST, ["not-a-hash"])


def test_verifies_with_the_body_or_with_its_hash_alone(keys: KeyPair, seal: Seal) -> None:
    args = (keys.public_key, seal.signature, CODE, AGENCY)
    assert verify_answer(*args, BODY, AT, version=2)
    assert verify_answer(*args, BODY, AT.astimezone(UTC), version=2, digest=DIGEST)
    assert verify_answer(*args, None, AT, version=2, digest=DIGEST), "text withheld"
    assert verify_answer(*args, unicodedata.normalize("NFD", BODY), AT, version=2)


@pytest.mark.parametrize(
    ("code", "agency", "body", "digest", "at"),
    [
        ("PAKN-2026-000124", AGENCY, BODY, DIGEST, AT),
        (CODE, "BYT", BODY, DIGEST, AT),
        (CODE, AGENCY, BODY + " ", None, AT),
        (CODE, AGENCY, BODY + " ", DIGEST, AT),
        (CODE, AGENCY, None, hashlib.sha256(b"other").hexdigest(), AT),
        (CODE, AGENCY, None, DIGEST.upper(), AT),
        (CODE, AGENCY, None, DIGEST[:-1], AT),
        (CODE, AGENCY, None, None, AT),
        (CODE, AGENCY, BODY, DIGEST, AT + timedelta(seconds=1)),
    ],
)
def test_any_change_or_gap_fails(
    keys: KeyPair,
    seal: Seal,
    code: str,
    agency: str,
    body: str | None,
    digest: str | None,
    at: datetime,
) -> None:
    assert not verify_answer(
        keys.public_key, seal.signature, code, agency, body, at, version=2, digest=digest
    )


def test_versions_do_not_verify_as_each_other(keys: KeyPair, seal: Seal) -> None:
    old = sign_answer(keys.private_key, CODE, AGENCY, BODY, AT)
    assert verify_answer(keys.public_key, old, CODE, AGENCY, BODY, AT)
    assert verify_answer(keys.public_key, old, CODE, AGENCY, BODY, AT, version=1, digest=DIGEST)
    assert not verify_answer(keys.public_key, old, CODE, AGENCY, BODY, AT, version=2)
    assert not verify_answer(keys.public_key, seal.signature, CODE, AGENCY, BODY, AT, version=1)
    assert not verify_answer(keys.public_key, old, CODE, AGENCY, None, AT, version=1)
    for version in (0, 3, -1):
        assert not verify_answer(
            keys.public_key, seal.signature, CODE, AGENCY, BODY, AT, version=version
        )


def test_a_body_not_in_nfc_is_refused(keys: KeyPair) -> None:
    with pytest.raises(ValueError):
        seal_answer(keys.private_key, CODE, AGENCY, unicodedata.normalize("NFD", BODY), AT)
    with pytest.raises(ValueError):
        seal_answer(keys.private_key, CODE + "\nX", AGENCY, BODY, AT)


def test_the_docstring_snippet_verifies_both_versions(keys: KeyPair, seal: Seal) -> None:
    """The verifier in `app.domain.signing`'s docstring, run as written."""
    import app.domain.signing as signing

    doc = signing.__doc__ or ""
    start = doc.index("    import base64, hashlib")
    snippet = "\n".join(line[4:] for line in doc[start:].split("\n\n(the")[0].splitlines())
    when = AT.astimezone(UTC).isoformat()
    old = sign_answer(keys.private_key, CODE, AGENCY, BODY, AT)
    cases = [
        {"sealVersion": 2, "body": BODY, "bodySha256": DIGEST, "signature": seal.signature},
        {"sealVersion": 2, "body": None, "bodySha256": DIGEST, "signature": seal.signature},
        {"sealVersion": 1, "body": BODY, "bodySha256": DIGEST, "signature": old},
    ]
    for answer in cases:
        exec(
            snippet,
            {
                "answer": {**answer, "answeredAt": when},
                "tracking_code": CODE,
                "agency_code": AGENCY,
                "public_key_b64": keys.public_key,
            },
        )
