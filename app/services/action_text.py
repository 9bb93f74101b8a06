"""The one rule for every text an action takes (notes, answers, comments, codes, keys):
no control characters once line breaks are tidied as a submission's are (CRLF is fine).
Such text is nothing a person types, and PostgreSQL cannot store U+0000. Checked here, in
the services, so that every caller of an action is held to it, not only the API."""

from __future__ import annotations

from app.domain.validation import INVALID_TEXT, Problem, clean_text, has_invalid_characters
from app.services.outcome import UserErrors, problem
from app.services.transitions import Change


def text_problem(value: str | None, *path: str) -> Problem | None:
    """INVALID_TEXT at `path` when `value` holds a control or non-text character."""
    if value is None or not has_invalid_characters(clean_text(value, multiline=True)):
        return None
    return problem(INVALID_TEXT, f"`{path[-1]}` contains a control or non-text character.", *path)


def check_texts(change: Change) -> None:
    """Refuse (UserErrors) an action whose text fields hold control characters."""
    texts = (
        (change.note, change.note_field),
        (change.body, "body"),
        (change.comment, "comment"),
        (change.agency_code, "agencyCode"),
        (change.field_code, "fieldCode"),
        (change.duplicate_of, "duplicateOf"),
    )
    problems = [p for value, name in texts if (p := text_problem(value, name)) is not None]
    if problems:
        raise UserErrors(*problems)
