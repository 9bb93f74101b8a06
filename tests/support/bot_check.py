"""Solving pakn's bot check as a Python client does (`app.domain.challenge.solve`)."""

from __future__ import annotations

from app.domain.challenge import solve as solve_or_none


def solve(challenge_json: str) -> str:
    """The challengeSolution for `challenge_json`, which must have one."""
    solution = solve_or_none(challenge_json)
    assert solution is not None, "the challenge has no solution up to its maxNumber"
    return solution
