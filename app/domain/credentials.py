"""Bearer tokens for officers and secrets for petitioners: made, stored hashed, checked.

Why this shape: a token or secret is shown once, at creation, and only its hash is stored, so
a leaked database does not hand out working credentials. Both are 32 random bytes from the OS
CSPRNG (``secrets.token_urlsafe(32)``, 43 URL-safe characters), so guessing is hopeless and a
single fast SHA-256 is the right hash: slow, salted password hashes (bcrypt, scrypt, argon2)
exist to protect low-entropy human passwords from dictionary attacks, which do not apply to
256-bit random strings -- and they would put ~100 ms of CPU on every authenticated request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_PREFIX = "pakn_"
"""Marks officer tokens, so secret scanners and humans can recognise a leaked one."""

_TOKEN_BYTES = 32

# RFC 6750 b64token: the only characters a bearer token may hold.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_MAX_TOKEN_LENGTH = 512


def new_token() -> str:
    """A new officer bearer token: ``pakn_`` + 43 URL-safe characters; show it once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)


def new_petitioner_secret() -> str:
    """A new petitioner secret (43 URL-safe characters, 256 bits); returned once on submit."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def hash_secret(secret: str) -> str:
    """Lower-case hex SHA-256 of the secret's UTF-8 bytes: the only form that is stored.

    A fast unsalted hash is deliberate (see the module docstring): the inputs are
    high-entropy random strings, never passwords chosen by people. Lone surrogates, which
    a JSON request can carry, are hashed via ``surrogatepass`` rather than raising, so any
    string input yields a (non-matching) hash instead of a server error.
    """
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Whether ``secret`` hashes to ``stored_hash``, compared in constant time.

    Comparing hashes already defeats prefix-timing attacks; ``hmac.compare_digest`` keeps the
    comparison itself free of early exits too. Both sides are compared as bytes so that an
    odd stored value cannot make ``compare_digest`` raise on non-ASCII text.
    """
    computed = hash_secret(secret).encode("ascii")
    return hmac.compare_digest(computed, stored_hash.encode("utf-8", "surrogatepass"))


def parse_bearer(header: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, else None.

    The scheme is case-insensitive and surrounding whitespace is ignored. Anything else --
    another scheme, no token, a token with spaces or characters outside RFC 6750's b64token,
    or an absurdly long one -- is None, which callers treat as "not an officer".
    """
    if header is None:
        return None
    parts = header.strip().split(maxsplit=1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    token = parts[1].strip()
    if len(token) > _MAX_TOKEN_LENGTH or not _B64TOKEN.fullmatch(token):
        return None
    return token
