"""The control-character rule holds in the services, for every caller of an action, not
only the GraphQL API (tests/api/test_fuzz_findings.py shows it there, on both databases)."""

from __future__ import annotations

import pytest

from app.domain.vocabulary import Action
from app.services.action_text import check_texts, text_problem
from app.services.outcome import UserErrors
from app.services.transitions import Change


@pytest.mark.parametrize("text", ["a\x00b", "\x07", "x\x1by"])
def test_an_actions_text_with_a_control_character_is_refused_at_its_field(text: str) -> None:
    with pytest.raises(UserErrors) as refused:
        check_texts(Change(Action.FOLLOW_UP, None, note=text, note_field="body", comment=text))
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("INVALID_TEXT", ("input", "body")),
        ("INVALID_TEXT", ("input", "comment")),
    ]


def test_line_breaks_and_vietnamese_text_pass() -> None:
    check_texts(Change(Action.ANSWER, 3, body="Trả lời:\r\ndòng hai\n\tthụt lề"))
    assert text_problem(None, "idempotencyKey") is None
    assert text_problem("key\x00", "idempotencyKey") is not None
