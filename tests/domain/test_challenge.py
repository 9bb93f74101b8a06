"""The proof-of-work bot check (app/domain/challenge.py): a challenge the server issued,
solved by the ALTCHA library's own solver (`solve`), holds until it expires; any other string is
refused with a code, never an exception."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.challenge import LIFETIME, MAX_SOLUTION, Refused, Solved, check, issue, solve

KEY = b"test-key-of-thirty-two-bytes-0123456789"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_solved_challenge_holds_for_ten_minutes() -> None:
    solution = solve(issue(KEY, NOW, 2000))
    assert solution is not None
    solved = check(solution, KEY, NOW + LIFETIME - timedelta(seconds=1))
    assert isinstance(solved, Solved)
    assert solved.expires_at == NOW + LIFETIME
    expired = check(solution, KEY, NOW + LIFETIME)
    assert isinstance(expired, Refused) and expired.code == "CHALLENGE_EXPIRED"


def test_another_number_another_key_or_a_changed_expiry_is_refused() -> None:
    challenge = issue(KEY, NOW, 2000)
    payload = json.loads(base64.b64decode(solve(challenge) or ""))
    forged = [
        {**payload, "number": payload["number"] + 1},
        {**payload, "salt": payload["salt"].replace("expires=", "expires=9")},
        {**payload, "algorithm": "SHA-1"},
    ]
    for fields in forged:
        encoded = base64.b64encode(json.dumps(fields).encode()).decode()
        assert check(encoded, KEY, NOW) == check("x", KEY, NOW)
    refused = check(solve(challenge) or "", b"another key of thirty-two bytes!!", NOW)
    assert isinstance(refused, Refused) and refused.code == "CHALLENGE_INVALID"


@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode()))
def test_any_other_string_is_a_coded_refusal(solution: str) -> None:
    refused = check(solution, KEY, NOW)
    assert isinstance(refused, Refused) and refused.code == "CHALLENGE_INVALID"


def test_an_expiry_of_odd_digits_is_refused_not_raised() -> None:
    """Found in review: an expiry past what a date holds, or in superscript digits."""
    for expires in ("9" * 20, "²", "1" * 12):
        payload = {
            "algorithm": "SHA-256",
            "challenge": "0" * 64,
            "number": 1,
            "salt": f"abc?expires={expires}&",
            "signature": "0" * 64,
        }
        encoded = base64.b64encode(json.dumps(payload).encode()).decode()
        refused = check(encoded, KEY, NOW)
        assert isinstance(refused, Refused) and refused.code == "CHALLENGE_INVALID"


def test_a_solution_over_its_length_is_refused_unread() -> None:
    refused = check("A" * (MAX_SOLUTION + 1), KEY, NOW)
    assert isinstance(refused, Refused) and refused.code == "CHALLENGE_INVALID"
