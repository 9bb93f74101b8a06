"""What a write returns: the changed petition, or the problems that stopped it."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.validation import Problem
from db.models import Petition


class UserErrors(Exception):
    """Raised inside a write transaction to roll it back and report `problems`."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems[0].message if problems else "refused")
        self.problems = list(problems)


@dataclass
class Outcome:
    petition: Petition | None = None
    problems: list[Problem] = field(default_factory=list)
    secret: str | None = None


def problem(code: str, message: str, *path: str) -> Problem:
    return Problem(field=("input", *path), code=code, message=message)
