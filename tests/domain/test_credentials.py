"""Bearer tokens and petitioner secrets."""

from __future__ import annotations

import hashlib
import re

import pytest

from app.domain.credentials import (
    hash_secret,
    new_petitioner_secret,
    new_token,
    parse_bearer,
    secret_matches,
)

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def test_token_shape_and_uniqueness() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert token.startswith("pakn_")
        assert len(token) == 5 + 43
        assert URL_SAFE.fullmatch(token[5:])


def test_petitioner_secret_shape_and_uniqueness() -> None:
    secrets = {new_petitioner_secret() for _ in range(200)}
    assert len(secrets) == 200
    for secret in secrets:
        assert len(secret) == 43  # 32 bytes, unpadded base64url
        assert URL_SAFE.fullmatch(secret)


def test_hash_is_hex_sha256() -> None:
    secret = new_petitioner_secret()
    assert hash_secret(secret) == hashlib.sha256(secret.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", hash_secret(secret))
    assert hash_secret(secret) == hash_secret(secret)


def test_secret_matches_only_its_own_hash() -> None:
    token, other = new_token(), new_token()
    stored = hash_secret(token)
    assert secret_matches(token, stored)
    assert not secret_matches(other, stored)
    assert not secret_matches(token[:-1], stored)
    assert not secret_matches(token + "x", stored)
    assert not secret_matches("", stored)
    assert not secret_matches(token, token)  # the secret itself is not its hash


@pytest.mark.parametrize("odd", ["", "xyz", "é" * 64, "\ud800", hash_secret("a").upper()])
def test_odd_inputs_never_raise(odd: str) -> None:
    assert not secret_matches(odd, hash_secret("a"))
    assert not secret_matches("a", odd)


def test_token_ok_after_parse_bearer() -> None:
    token = new_token()
    assert parse_bearer(f"Bearer {token}") == token


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("BEARER abc", "abc"),
        ("  Bearer   abc  ", "abc"),
        ("Bearer\tabc", "abc"),
        ("Bearer pakn_A-b_c", "pakn_A-b_c"),
        ("Bearer abc+/=", "abc+/="),
        (None, None),
        ("", None),
        ("   ", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("Basic dXNlcjpwYXNz", None),
        ("Token abc", None),
        ("Bearerabc", None),
        ("abc", None),
        ("Bearer abc def", None),
        ("Bearer abc,def", None),
        ("Bearer ab=c", None),
        ("Bearer tökén", None),
        ("Bearer " + "a" * 600, None),
    ],
)
def test_parse_bearer(header: str | None, expected: str | None) -> None:
    assert parse_bearer(header) == expected
