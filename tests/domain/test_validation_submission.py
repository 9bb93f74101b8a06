"""Input rules for submitting a petition, the submission as a whole: a valid one has no
problems, unknown codes and enum values are refused, and every problem is reported at
once, in order, with a plain message. Tested without a server; the text rules are in
test_validation_text.py, the contact rules in test_validation_contact.py.
"""

from __future__ import annotations

from dataclasses import replace

from app.domain.validation import PetitionerData, SubmissionData

from .submissions import BUSINESS, SUBMISSION, _codes, _validate


def test_a_valid_submission_has_no_problems() -> None:
    cleaned, problems = _validate(SUBMISSION)
    assert problems == []
    assert cleaned == SUBMISSION
    cleaned, problems = _validate(BUSINESS)
    assert problems == []
    assert cleaned == BUSINESS


# --- codes -----------------------------------------------------------------


def test_unknown_field_and_province_codes() -> None:
    data = replace(SUBMISSION, field_code="NOPE", province_code="99")
    assert _codes(data) == {
        (("input", "fieldCode"), "UNKNOWN_CODE"),
        (("input", "provinceCode"), "UNKNOWN_CODE"),
    }
    assert _codes(replace(SUBMISSION, field_code=None, province_code=None)) == set()


def test_unknown_enum_values_from_non_graphql_callers() -> None:
    data = replace(SUBMISSION, channel="PRESS", kind="RUMOUR", subject="GOSSIP")
    assert _codes(data) == {
        (("input", "channel"), "INVALID_VALUE"),
        (("input", "kind"), "INVALID_VALUE"),
        (("input", "subject"), "INVALID_VALUE"),
    }


# --- all at once -----------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    data = SubmissionData(
        channel="BUSINESS",
        kind="RECOMMENDATION",
        subject="POLICY",
        title="Ngắn",
        body="Quá ngắn\x00",
        field_code="NOPE",
        province_code="99",
        is_private=True,
        petitioner=PetitionerData(
            full_name="A",
            email="not-an-email",
            phone="12345",
            address="x" * 600,
            organization_name=None,
            tax_code="123",
        ),
    )
    cleaned, problems = _validate(data)
    assert [(p.field, p.code) for p in problems] == [
        (("input", "title"), "TOO_SHORT"),
        (("input", "body"), "INVALID_TEXT"),
        (("input", "body"), "TOO_SHORT"),
        (("input", "fieldCode"), "UNKNOWN_CODE"),
        (("input", "provinceCode"), "UNKNOWN_CODE"),
        (("input", "petitioner", "fullName"), "TOO_SHORT"),
        (("input", "petitioner", "email"), "INVALID_EMAIL"),
        (("input", "petitioner", "phone"), "INVALID_PHONE"),
        (("input", "petitioner", "address"), "TOO_LONG"),
        (("input", "petitioner", "taxCode"), "INVALID_TAX_CODE"),
        (("input", "petitioner", "organizationName"), "REQUIRED"),
    ]
    for problem in problems:
        assert problem.message.endswith(".")
        assert "Traceback" not in problem.message
    assert cleaned.is_private is True
