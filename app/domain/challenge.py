"""The bot check that needs no third party: an ALTCHA proof of work (protocol version 1).

Why: a script can submit as fast as the network lets it, and the per-address hourly limit
does not stop one with many addresses. A proof of work makes each submission cost the
sender a second or so of computing, which a person filling in a form never notices, and
it asks no outside service (a CAPTCHA provider would learn who petitions the Government).

The server issues a challenge: a random salt carrying its expiry (`?expires=<unix>&`), a
`maxnumber`, and `challenge` = SHA-256(salt + number) for a secret number at most
`maxnumber`, signed with the server's key (HMAC-SHA-256 of `challenge`). The client finds
the number by trying them all and sends back the base64 JSON of {algorithm, challenge,
number, salt, signature}: the ALTCHA widget's payload, so that widget works too.

What it cannot do alone: see a solution twice. Each is good once (`db` keeps the spent
ones until they expire) and for `LIFETIME`, checked against the caller's clock.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import altcha

LIFETIME = timedelta(minutes=10)
MAX_SOLUTION = 2000
"""Characters of a solution payload (a real one has some 300)."""
ALGORITHM = "SHA-256"


@dataclass(frozen=True)
class Solved:
    """A solution that holds: `challenge` names it (spend it once), until `expires_at`."""

    challenge: str
    expires_at: datetime


@dataclass(frozen=True)
class Refused:
    code: str
    message: str


def issue(key: bytes, now: datetime, max_number: int) -> str:
    """A new challenge, as the JSON the ALTCHA widget (and `Query.submitChallenge`) gives."""
    challenge = altcha.create_challenge_v1(
        algorithm=ALGORITHM, max_number=max_number, hmac_key=key, expires=now + LIFETIME
    )
    return json.dumps(challenge.to_dict(), separators=(",", ":"))


def solve(challenge_json: str) -> str | None:
    """What a client sends for a challenge: the base64 JSON of its number, found by the
    ALTCHA library's own solver (None when there is none up to its maxNumber). For a
    Python client and the tests; a browser solves it with static/submit.js."""
    issued = json.loads(challenge_json)
    found = altcha.solve_challenge_v1(
        issued["challenge"], issued["salt"], issued["algorithm"], issued["maxNumber"]
    )
    if found is None:
        return None
    fields = {key: value for key, value in issued.items() if key != "maxNumber"}
    return base64.b64encode(json.dumps({**fields, "number": found.number}).encode()).decode()


def _payload(solution: str) -> dict[str, object] | None:
    """The solution's fields, when it is the base64 JSON of the right shape."""
    try:
        payload = json.loads(base64.b64decode(solution, validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    texts = ("algorithm", "challenge", "salt", "signature")
    if not isinstance(payload, dict) or not all(isinstance(payload.get(f), str) for f in texts):
        return None
    number = payload.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        return None
    return payload


EXPIRES = re.compile(r"[0-9]{1,11}")
"""A Unix time in ASCII digits (str.isdigit takes "²" too): up to the year 5138."""


def _expiry(salt: str) -> datetime | None:
    expires = altcha.extract_params_v1({"salt": salt}).get("expires")
    if not expires or len(expires) != 1 or not EXPIRES.fullmatch(expires[0]):
        return None
    try:
        return datetime.fromtimestamp(int(expires[0]), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def check(solution: str, key: bytes, now: datetime) -> Solved | Refused:
    """Whether `solution` solves a challenge this server issued and that has not expired
    at `now` (whether it was spent already is the database's to say)."""
    invalid = Refused(
        "CHALLENGE_INVALID", "The bot check's solution does not hold; solve a new one."
    )
    if len(solution) > MAX_SOLUTION:
        return invalid
    payload = _payload(solution)
    if payload is None or payload["algorithm"] != ALGORITHM:
        return invalid
    try:
        verified, _ = altcha.verify_solution_v1(payload, key, check_expires=False)  # type: ignore[arg-type]
    except (ValueError, TypeError, UnicodeError):
        return invalid
    expires_at = _expiry(str(payload["salt"])) if verified else None
    if expires_at is None:
        return invalid
    if expires_at <= now:
        return Refused("CHALLENGE_EXPIRED", "The bot check expired (10 minutes); solve a new one.")
    return Solved(str(payload["challenge"]), expires_at)
